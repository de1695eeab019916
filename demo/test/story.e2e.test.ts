import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../server.ts';
import { buildPage, CHROME, launchChromium, startTestDemo } from './helpers.ts';
import { Camera, notice, stat, VARIANTS, type Variant } from './story.ts';

const SHOTS = fileURLToPath(new URL('../test-results/story', import.meta.url));

let demo: Demo;
let browser: Browser;
beforeAll(async () => {
  demo = await startTestDemo({ web: 'static', staticDir: await buildPage() });
  if (CHROME) browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

async function sandboxFaults(plan: unknown): Promise<void> {
  const res = await fetch(`${demo.sandboxUrl}/__sandbox/faults`, {
    method: 'PUT',
    body: JSON.stringify(plan),
  });
  expect(res.status).toBe(204);
}

async function connectWithPat(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Connect SailPoint NERM' }).click();
  await page.getByRole('heading', { name: 'Connect your NERM tenant' }).waitFor();
  await page.getByRole('button', { name: 'Use sandbox credentials' }).click();
}

async function waitForDirectory(page: Page): Promise<void> {
  await expect
    .poll(() => page.locator('#status-pill').textContent(), { timeout: 20_000 })
    .toBe('Connected');
  // A page holds up to 25 people (NERM pages also hold organisations, which are not people).
  await expect
    .poll(() => page.locator('#rows tr').count(), { timeout: 20_000 })
    .toBeGreaterThan(15);
  await expect.poll(() => page.locator('.stat').count(), { timeout: 20_000 }).toBe(5);
}

describe.skipIf(!CHROME)('the sales story, in Chromium', () => {
  for (const variant of VARIANTS) {
    it(`walks the story on ${variant.name}`, async () => walk(variant), 240_000);
  }
  for (const variant of VARIANTS) {
    it(
      `sends a link the NERM admin completes in their own browser (${variant.name})`,
      async () => sendLink(variant),
      120_000,
    );
  }
});

function contextFor(variant: Variant) {
  return browser.newContext({
    viewport: variant.viewport,
    colorScheme: variant.colorScheme,
    isMobile: variant.mobile,
    hasTouch: variant.mobile,
  });
}

/** "Send a link to your NERM admin": a hosted link, completed in a second browser. */
async function sendLink(variant: Variant): Promise<void> {
  await fetch(`${demo.url}/api/connection`, { method: 'DELETE' });
  const camera = new Camera(join(SHOTS, 'hosted-link'), variant);
  const saas = await contextFor(variant);
  const page = await saas.newPage();
  await page.goto(demo.url);
  await page.getByRole('button', { name: 'Send a link to your NERM admin' }).click();
  await page.getByRole('heading', { name: 'Send this link to your NERM admin' }).waitFor();
  const url = await page.getByLabel('Connection link').inputValue();
  expect(url).toMatch(new RegExp(`^${demo.brokerUrl}/connect#lt_`));
  await camera.shot(page, 'link-to-send');

  // The NERM admin's own browser: no Shiftboard session, just the link.
  const nermAdmin = await contextFor(variant);
  const hosted = await nermAdmin.newPage();
  const problems: string[] = [];
  hosted.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await hosted.goto(url);
  const config = await (await fetch(`${demo.url}/api/config`)).json();
  await hosted.getByLabel('NERM tenant URL', { exact: true }).fill(config.demoTenant.tenantUrl);
  await hosted.getByLabel('Client ID', { exact: true }).fill(config.demoTenant.clientId);
  await hosted.getByLabel('Client secret', { exact: true }).fill(config.demoTenant.clientSecret);
  expect(await hosted.locator('.app-name').textContent()).toBe('Shiftboard');
  await camera.shot(hosted, 'admin-fills-hosted-page');
  await hosted.getByRole('button', { name: 'Connect', exact: true }).click();
  await hosted.getByRole('heading', { name: /^Connected to / }).waitFor();
  await camera.shot(hosted, 'admin-connected');
  expect(problems).toEqual([]);
  await nermAdmin.close();

  // Back on Shiftboard: the webhook told the backend, and the page follows.
  await expect
    .poll(() => page.locator('#status-pill').textContent(), { timeout: 30_000 })
    .toBe('Connected');
  await expect.poll(() => notice(page)).toMatch(/^Your NERM admin connected /);
  await waitForDirectory(page);
  await camera.shot(page, 'connected-by-link');
  await saas.close();
}

async function walk(variant: Variant): Promise<void> {
  // Each walk starts disconnected, as a buyer would see it first.
  await fetch(`${demo.url}/api/connection`, { method: 'DELETE' });
  const context = await contextFor(variant);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  const camera = new Camera(SHOTS, variant);

  await page.goto(demo.url);
  await page.getByRole('button', { name: 'Connect SailPoint NERM' }).waitFor();
  const background = await page.evaluate(
    () => getComputedStyle(document.documentElement).backgroundColor,
  );
  // Dark follows the system: a dark page background, a light one otherwise.
  const [r] = background.match(/\d+/g)!.map(Number);
  if (variant.colorScheme === 'dark') expect(r).toBeLessThan(60);
  else expect(r).toBeGreaterThan(200);
  await camera.shot(page, 'start');

  // Connect with the PAT.
  await connectWithPat(page);
  await camera.shot(page, 'connect-form-filled');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await waitForDirectory(page);
  await expect.poll(() => notice(page)).toMatch(/^Connected to /);
  await camera.shot(page, 'directory');

  // Filters and paging.
  await page.getByRole('button', { name: 'Active', exact: true }).click();
  // The notice has been read: it goes with the next action instead of outliving it.
  expect(await notice(page)).toBe('');
  await expect.poll(() => page.locator('#rows .badge:not(.active)').count()).toBe(0);
  await camera.shot(page, 'filter-active');
  const firstOnPage1 = await page.locator('#rows tr strong').first().textContent();
  await page.getByRole('button', { name: 'Next →' }).click();
  await expect.poll(() => page.locator('#page-info').textContent()).toMatch(/^Page 2 /);
  expect(await page.locator('#rows tr strong').first().textContent()).not.toBe(firstOnPage1);
  // The page number keeps one line between the buttons (it wrapped on a phone).
  const lines = await page
    .locator('#page-info')
    .evaluate((e) => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).fontSize));
  expect(lines, 'page info on one line').toBeLessThan(2);
  await camera.shot(page, 'page-2');
  await page.getByRole('button', { name: '← Previous' }).click();
  await expect.poll(() => page.locator('#page-info').textContent()).toMatch(/^Page 1 /);

  // Offboarding asks first; Cancel changes nothing.
  const row = page.locator('#rows tr').first();
  const name = (await row.locator('strong').textContent())!;
  await row.getByRole('button', { name: `Offboard ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: `Offboard ${name}?` });
  await dialog.waitFor();
  await camera.shot(page, 'offboard-confirm', { fullPage: false });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect.poll(() => dialog.isVisible()).toBe(false);
  expect(await row.locator('.badge').textContent()).toBe('active');
  const offboarded = () => stat(page, 'Offboarded');
  const before = await offboarded();
  await row.getByRole('button', { name: `Offboard ${name}` }).click();
  await dialog.getByRole('button', { name: `Offboard ${name}` }).click();
  await expect.poll(() => notice(page)).toBe(`${name} was offboarded in NERM.`);
  await expect.poll(() => page.locator('#rows tr.changed .badge').textContent()).toBe('offboarded');
  // The counts follow at once: the buyer sees the figure move.
  await expect.poll(offboarded).toBe(before + 1);
  if (variant.mobile) {
    // On a phone the changed person's card is marked as a whole, not line by line.
    const [card, line] = await page
      .locator('#rows tr.changed')
      .evaluate((tr) =>
        [tr, tr.querySelector('td')!].map((e) => getComputedStyle(e).backgroundColor),
      );
    expect(line, 'a card line').toBe('rgba(0, 0, 0, 0)');
    expect(card, 'the card').not.toBe('rgba(0, 0, 0, 0)');
  }
  // "Simulate in NERM" no longer offers someone who is gone.
  const offboardedId = (await page.locator('#rows tr.changed').getAttribute('data-user-id'))!;
  expect(await page.locator(`#sim-person option[value="${offboardedId}"]`).count()).toBe(0);
  await camera.shot(page, 'offboarded');

  // A write NERM refuses is shown, with its reference, and the button works again.
  await sandboxFaults({ failNext: { count: 1, status: 500, methods: ['PATCH'] } });
  const next = page.locator('#rows tr:not(.changed)').first();
  const other = (await next.locator('strong').textContent())!;
  await next.getByRole('button', { name: `Offboard ${other}` }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: `Offboard ${other}` })
    .click();
  const alert = page.getByRole('alert');
  await expect.poll(() => alert.textContent()).toContain(`Could not offboard ${other}`);
  expect(await alert.textContent()).toMatch(/Reference: \S+ \(upstream_error\)/);
  expect(await next.getByRole('button', { name: `Offboard ${other}` }).isEnabled()).toBe(true);
  expect(await next.locator('.badge').textContent()).toBe('active');
  await camera.shot(page, 'failed-write');
  await page.getByRole('button', { name: 'Dismiss' }).click();

  // Update credentials, then Cancel: still connected.
  await page.getByRole('button', { name: 'Update credentials' }).click();
  await page.getByRole('heading', { name: /^Update the NERM credential for / }).waitFor();
  await camera.shot(page, 'update-credentials');
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect.poll(() => page.locator('#connected').isVisible()).toBe(true);
  expect(await page.locator('#status-pill').textContent()).toBe('Connected');
  await camera.shot(page, 'update-cancelled');

  // Offboarding in NERM, live: as the customer's NERM admin, end someone's contract; the
  // broker's signed webhook reaches Shiftboard, which revokes their access.
  await page.getByRole('button', { name: 'All', exact: true }).click();
  await page.locator('#rows[data-filter="all"]').waitFor({ state: 'attached' });
  await expect
    .poll(() => page.locator('#live-state').textContent(), { timeout: 60_000 })
    .toBe('Live');
  // The picker offers the active people of the page on screen.
  const [userId, label] = await page
    .locator('#sim-person')
    .evaluate((s: HTMLSelectElement) => [s.value, s.selectedOptions[0]?.textContent ?? '']);
  const ended = label!.split(' · ')[0]!;
  expect(await page.locator(`#rows tr[data-user-id="${userId}"] .badge`).textContent()).toBe(
    'active',
  );
  await page.getByRole('button', { name: 'End contract' }).click();
  const latest = page.locator('#feed li').first();
  await expect
    .poll(() => latest.textContent(), { timeout: 30_000 })
    .toContain(`${ended} is no longer active in NERM. Shiftboard revoked their access.`);
  expect(await latest.locator('.tag').textContent()).toBe(
    'Signed webhook ✓ user.\u200bdeactivated',
  );
  expect(await page.locator('#feed li').nth(1).textContent()).toContain(
    `In NERM, the admin ended the contract of ${ended}.`,
  );
  // Each line once, however the page's polls overlap.
  for (const line of [`ended the contract of ${ended}.`, `${ended} is no longer active`])
    expect(await page.locator('#feed li', { hasText: line }).count(), line).toBe(1);
  const endedRow = page.locator(`#rows tr[data-user-id="${userId}"]`);
  await expect.poll(() => endedRow.locator('.chip').textContent()).toBe('Access revoked');
  // The notice says what happened, not still "Changing … in NERM".
  expect(await notice(page)).toBe(
    `${ended} is no longer active in NERM. Shiftboard revoked their access.`,
  );
  expect(await endedRow.locator('.badge').textContent()).toBe('inactive');
  await camera.shot(page, 'nerm-ended-contract');

  // Disconnect asks first, then the stored credential is gone.
  await page.getByRole('button', { name: 'Disconnect NERM' }).click();
  const disconnect = page.getByRole('dialog', { name: 'Disconnect NERM?' });
  await disconnect.waitFor();
  await camera.shot(page, 'disconnect-confirm', { fullPage: false });
  await disconnect.getByRole('button', { name: 'Disconnect NERM' }).click();
  await expect.poll(() => page.locator('#status-pill').textContent()).toBe('Not connected');
  await expect.poll(() => notice(page)).toMatch(/^Disconnected from /);
  await camera.shot(page, 'disconnected');

  // And back.
  await connectWithPat(page);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await waitForDirectory(page);
  await camera.shot(page, 'reconnected');

  expect(problems.filter((p) => !/status of 5\d\d|status of 4\d\d/.test(p))).toEqual([]);
  await context.close();
}
