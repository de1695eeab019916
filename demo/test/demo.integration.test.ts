import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../server.ts';

const CHROME = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p) => p && existsSync(p),
);
if (!CHROME && process.env.NERM_CONNECT_REQUIRE_BROWSER)
  throw new Error('Chromium is required for the demo test here');

let demo: Demo;

beforeAll(async () => {
  demo = await startDemo({
    port: 0,
    brokerPort: 0,
    sandboxPort: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'demo-')),
    quiet: true,
  });
}, 60_000);
afterAll(async () => demo?.close());

describe('pnpm demo: backend', () => {
  it('serves the page under a strict CSP and hands out link tokens, never the API key', async () => {
    const page = await fetch(demo.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<nerm-connect');
    const config = await (await fetch(`${demo.url}/api/config`)).json();
    expect(JSON.stringify(config)).not.toContain('nbk_');
    const link = await (await fetch(`${demo.url}/api/link-token`, { method: 'POST' })).json();
    expect(link.link_token).toMatch(/^lt_/);
    expect((await (await fetch(`${demo.url}/api/connection`)).json()).connected).toBe(false);
  });

  it('refuses directory reads while not connected', async () => {
    const res = await fetch(`${demo.url}/api/directory`);
    expect(res.status).toBe(404);
  });
});

describe.skipIf(!CHROME)('pnpm demo: in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROME!,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => browser?.close());

  it('connects NERM from the settings page, lists the workforce, offboards someone, disconnects', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const violations: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') violations.push(m.text());
    });
    await page.goto(demo.url);
    await page.getByRole('button', { name: 'Connect SailPoint NERM' }).click();
    const config = await (await fetch(`${demo.url}/api/config`)).json();
    await page.getByLabel('NERM tenant URL', { exact: true }).fill(config.demoTenant.tenantUrl);
    await page.getByLabel('Client ID', { exact: true }).fill(config.demoTenant.clientId);
    await page.getByLabel('Client secret', { exact: true }).fill(config.demoTenant.clientSecret);
    await page.getByText('Advanced', { exact: true }).click();
    await page.getByLabel('Token URL', { exact: true }).fill(config.demoTenant.tokenUrl);
    if (process.env.DEMO_SCREENSHOTS)
      await page.screenshot({ path: join(process.env.DEMO_SCREENSHOTS, 'connect.png') });
    await page.getByRole('button', { name: 'Connect', exact: true }).click();

    await expect
      .poll(async () => page.locator('#status-pill').textContent(), { timeout: 15_000 })
      .toBe('Connected');
    await expect
      .poll(async () => page.locator('#rows tr').count(), { timeout: 15_000 })
      .toBeGreaterThan(10);
    await expect
      .poll(async () => page.locator('.stat b').first().textContent(), { timeout: 15_000 })
      .toBe('1500');
    if (process.env.DEMO_SCREENSHOTS)
      await page.screenshot({
        path: join(process.env.DEMO_SCREENSHOTS, 'directory.png'),
        fullPage: true,
      });

    await page.getByRole('button', { name: 'Active', exact: true }).click();
    await expect.poll(async () => page.locator('#rows .badge.deleted').count()).toBe(0);
    await expect.poll(async () => page.locator('#rows .badge.inactive').count()).toBe(0);
    const firstName = await page.locator('#rows tr').first().locator('strong').textContent();
    await page.locator('#rows tr').first().getByRole('button', { name: 'Offboard' }).click();
    await expect
      .poll(async () => page.locator('#message').textContent())
      .toContain(`${firstName} was offboarded`);

    await page.getByRole('button', { name: 'Disconnect NERM' }).click();
    await expect.poll(async () => page.locator('#status-pill').textContent()).toBe('Not connected');
    expect(violations.filter((v) => /Content Security Policy/i.test(v))).toEqual([]);
  }, 60_000);
});
