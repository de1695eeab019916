import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumForTests, launchChromium } from '@nerm-connect/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

// The hosted connect link in real Chromium (docs/hosted-link.md): what the NERM admin who
// receives the link sees, at desktop and phone width, light and dark. Screenshots go to
// packages/broker/test-results/hosted/.

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

const CHROME = chromiumForTests('broker hosted-link tests');
const SHOTS = fileURLToPath(new URL('../test-results/hosted', import.meta.url));
const VARIANTS = [
  { name: 'desktop-light', width: 1280, height: 860, dark: false },
  { name: 'desktop-dark', width: 1280, height: 860, dark: true },
  { name: 'phone-light', width: 390, height: 844, dark: false },
  { name: 'phone-dark', width: 390, height: 844, dark: true },
];
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="9" fill="#6d28d9"/><path d="M11 28V12h4l10 10V12h4v16h-4L15 18v10z" fill="#fff"/></svg>`;

let stack: Stack;
let logoServer: Server;
let browser: Browser;
let clock = 0;

beforeAll(async () => {
  // The SaaS's logo, from an origin of its own (the page's img-src admits it).
  logoServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(LOGO);
  });
  await new Promise<void>((r) => logoServer.listen(0, '127.0.0.1', r));
  const logoUrl = `http://127.0.0.1:${(logoServer.address() as AddressInfo).port}/logo.svg`;
  stack = await startStack({
    env: { NERM_BROKER_APP_NAME: 'Northwind HR', NERM_BROKER_APP_LOGO_URL: logoUrl },
    overrides: { now: () => Date.now() + clock },
  });
  if (CHROME) browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
  logoServer?.close();
});

async function hostedLink(tenantId: string, expiresIn?: number): Promise<string> {
  const res = await stack.admin('/link-tokens', {
    method: 'POST',
    json: { tenant_id: tenantId, hosted: true, ...(expiresIn ? { expires_in: expiresIn } : {}) },
  });
  expect(res.status).toBe(201);
  return res.body.hosted_url;
}

/** A page that records every console error (a CSP violation is one) and page error. */
async function open(variant: (typeof VARIANTS)[number]) {
  const context = await browser.newContext({
    viewport: { width: variant.width, height: variant.height },
    colorScheme: variant.dark ? 'dark' : 'light',
    isMobile: variant.width < 500,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  // A dead link's 401 is how the page learns it is dead; anything else is a problem.
  page.on(
    'console',
    (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && problems.push(m.text()),
  );
  page.on('pageerror', (e) => problems.push(e.message));
  return { context, page, problems };
}

async function shot(page: Page, variant: string, name: string): Promise<void> {
  // In the page (no DOM types here): how far it scrolls sideways.
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );
  expect(overflow, `${variant} ${name}: wider than the screen`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: join(SHOTS, `${variant}-${name}.png`), fullPage: true });
}

const heading = (page: Page, name: string) => page.getByRole('heading', { name }).waitFor();

describe.skipIf(!CHROME)('the hosted connect page, in Chromium', () => {
  for (const variant of VARIANTS) {
    it(`connects once, then refuses the same link (${variant.name})`, async () => {
      const tenantId = `hosted-${variant.name}`;
      const url = await hostedLink(tenantId, 7 * 24 * 3600);
      expect(url).toBe(`${stack.url}/connect#${url.split('#')[1]}`);
      const { context, page, problems } = await open(variant);
      await page.goto(url);
      await page.getByLabel('NERM tenant URL', { exact: true }).waitFor();
      expect(await page.locator('.app-name').textContent()).toBe('Northwind HR');
      expect(
        await page
          .locator('img.logo')
          .evaluate((img) => (img as { naturalWidth: number }).naturalWidth),
      ).toBeGreaterThan(0);
      expect(await page.getByText('Northwind HR will be able to:').isVisible()).toBe(true);
      await shot(page, variant.name, '1-form');

      await page.getByLabel('NERM tenant URL', { exact: true }).fill(stack.sandbox.url);
      await page
        .getByLabel('Client ID', { exact: true })
        .fill(stack.sandbox.credentials.client.clientId);
      await page
        .getByLabel('Client secret', { exact: true })
        .fill(stack.sandbox.credentials.client.clientSecret);
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      await heading(page, `Connected to ${new URL(stack.sandbox.url).host}`);
      await shot(page, variant.name, '2-connected');
      await page.getByRole('button', { name: 'Done' }).click();
      await heading(page, 'You can close this page');
      await shot(page, variant.name, '3-done');

      // The SaaS finds the account by its tenant id (or from the connected webhook).
      const accounts = await stack.admin(`/integrated-accounts?tenant_id=${tenantId}`);
      expect(accounts.body.result.map((a: { status: string }) => a.status)).toEqual(['active']);

      // The same link again, in another tab: refused, plainly.
      const again = await context.newPage();
      await again.goto(url);
      await heading(again, 'This link has already been used or has expired');
      expect(await again.getByLabel('NERM tenant URL', { exact: true }).isVisible()).toBe(false);
      await shot(again, variant.name, '4-used');
      expect(problems).toEqual([]);
      await context.close();
    }, 90_000);
  }

  for (const variant of VARIANTS) {
    it(`Cancel ends the visit plainly: close this tab, or go back to the form (${variant.name})`, async () => {
      // A NERM admin on a standalone page has nothing to return to: Cancel must say the
      // visit is over (as Plaid's and Nango's hosted pages do), not leave a dead end.
      const url = await hostedLink(`hosted-cancel-${variant.name}`);
      const { context, page, problems } = await open(variant);
      await page.goto(url);
      await page.getByLabel('NERM tenant URL', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Cancel', exact: true }).click();
      await heading(page, 'You can close this tab');
      expect(await page.getByText('Nothing was connected to Northwind HR.').isVisible()).toBe(true);
      expect(await page.getByLabel('NERM tenant URL', { exact: true }).isVisible()).toBe(false);
      expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe(
        'You can close this tab',
      );
      await shot(page, variant.name, '7-cancelled');
      // Changed their mind: the link still works until it expires.
      await page.getByRole('button', { name: 'Connect after all' }).click();
      await page.getByLabel('NERM tenant URL', { exact: true }).waitFor();
      expect(await page.getByRole('heading', { name: 'You can close this tab' }).isVisible()).toBe(
        false,
      );
      expect(problems).toEqual([]);
      await context.close();
    }, 60_000);
  }

  it('says plainly when a link has expired, or arrived cut short', async () => {
    const url = await hostedLink('hosted-expired', 60);
    const { context, page, problems } = await open(VARIANTS[2]!);
    clock += 61_000;
    try {
      await page.goto(url);
      await heading(page, 'This link has already been used or has expired');
      expect(await page.getByText('Ask Northwind HR for a new link.').isVisible()).toBe(true);
      await shot(page, 'phone-light', '5-expired');
    } finally {
      clock -= 61_000;
    }
    await page.goto(url.split('#')[0]!);
    await heading(page, 'This link is incomplete');
    await shot(page, 'phone-light', '6-incomplete');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows the expired notice when the link dies while the form is open', async () => {
    const url = await hostedLink('hosted-dies', 60);
    const { context, page } = await open(VARIANTS[0]!);
    await page.goto(url);
    await page.getByLabel('NERM tenant URL', { exact: true }).waitFor();
    clock += 61_000;
    try {
      await page.getByLabel('NERM tenant URL', { exact: true }).fill(stack.sandbox.url);
      await page.getByLabel('Client ID', { exact: true }).fill('someone');
      await page.getByLabel('Client secret', { exact: true }).fill('something');
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      await heading(page, 'This link has already been used or has expired');
    } finally {
      clock -= 61_000;
    }
    await context.close();
  });
});
