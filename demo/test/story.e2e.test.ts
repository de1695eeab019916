import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../server.ts';
import { buildPage, CHROME, launchChromium, startTestDemo } from './helpers.ts';
import { Camera, notice, VARIANTS, type Variant } from './story.ts';

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
});

async function walk(variant: Variant): Promise<void> {
  // Each walk starts disconnected, as a buyer would see it first.
  await fetch(`${demo.url}/api/connection`, { method: 'DELETE' });
  const context = await browser.newContext({
    viewport: variant.viewport,
    colorScheme: variant.colorScheme,
    isMobile: variant.mobile,
    hasTouch: variant.mobile,
  });
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
  await expect.poll(() => page.locator('#rows .badge:not(.active)').count()).toBe(0);
  await camera.shot(page, 'filter-active');
  const firstOnPage1 = await page.locator('#rows tr strong').first().textContent();
  await page.getByRole('button', { name: 'Next →' }).click();
  await expect.poll(() => page.locator('#page-info').textContent()).toMatch(/^Page 2 /);
  expect(await page.locator('#rows tr strong').first().textContent()).not.toBe(firstOnPage1);
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
  await row.getByRole('button', { name: `Offboard ${name}` }).click();
  await dialog.getByRole('button', { name: `Offboard ${name}` }).click();
  await expect.poll(() => notice(page)).toBe(`${name} was offboarded in NERM.`);
  await expect.poll(() => page.locator('#rows tr.changed .badge').textContent()).toBe('offboarded');
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
