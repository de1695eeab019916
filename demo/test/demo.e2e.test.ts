import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../server.ts';
import { buildPage, CHROME, launchChromium, startTestDemo } from './helpers.ts';
import { join } from 'node:path';

let demo: Demo;

beforeAll(async () => {
  demo = await startTestDemo({ web: 'static', staticDir: await buildPage() });
}, 120_000);
afterAll(async () => demo?.close());

describe.skipIf(!CHROME)('pnpm demo: in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
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
      .toMatch(/^1[45]\d\d$/); // 1,500 seeded, ~2% archived (live NERM hides them)
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
