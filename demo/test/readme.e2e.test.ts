// The README's embed instructions, copied as they stand into a page served under the
// README's own Content Security Policy, must connect a tenant end to end.
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createAdmin } from '@nerm-connect/shared/client';
import express from 'express';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../server.ts';
import { CHROME, launchChromium, startTestDemo } from './helpers.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(`${repo}README.md`, 'utf8');
const PLACEHOLDER = 'https://nerm-connect.example.com';

/** The fenced block after `<!-- readme-test: name -->`. */
function block(name: string): string {
  const found = new RegExp(`<!-- readme-test: ${name} -->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(
    readme,
  );
  if (!found) throw new Error(`README has no block marked ${name}`);
  return found[1]!;
}

let demo: Demo;
let server: Server;
let origin: string;
let saved: Record<string, unknown> | undefined;

beforeAll(async () => {
  // The page's server listens first, so the broker can admit its origin.
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The demo's own page is not needed here: an empty folder stands in for its build.
  const noPage = mkdtempSync(join(tmpdir(), 'no-page-'));
  demo = await startTestDemo({ web: 'static', staticDir: noPage, extraOrigins: [origin] });

  const policy = /`Content-Security-Policy: ([^`]+)`/
    .exec(readme)![1]!
    .replaceAll(PLACEHOLDER, demo.brokerUrl);
  const app = express();
  app.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', policy);
    next();
  });
  app.get('/', (_req, res) => {
    res
      .type('html')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>README page</title></head><body>${block(
          'embed-html',
        ).replaceAll(PLACEHOLDER, demo.brokerUrl)}</body></html>`,
      );
  });
  app.get('/favicon.ico', (_req, res) => void res.status(204).end());
  app.get('/assets/connect-nerm.js', (_req, res) => {
    res.type('js').send(block('embed-js'));
  });
  app.use('/assets', express.static(`${repo}packages/widget/dist`));
  const admin = createAdmin({ brokerUrl: demo.brokerUrl, apiKey: demo.brokerApiKey });
  const currentOrg = () => ({
    id: 'readme-org',
    saveNermAccount: (account: Record<string, unknown>) => void (saved = account),
  });
  // The README's backend routes, run as written.
  new Function('app', 'express', 'admin', 'currentOrg', block('embed-backend'))(
    app,
    express,
    admin,
    currentOrg,
  );
  server.on('request', app);
}, 180_000);

afterAll(async () => {
  server?.close();
  await demo?.close();
});

describe.skipIf(!CHROME)('the README embed snippet, copied as is', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it('connects under the README’s CSP and the backend receives the account', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(origin);
    const config = await (await fetch(`${demo.url}/api/config`)).json();
    await page.getByLabel('NERM tenant URL', { exact: true }).fill(config.demoTenant.tenantUrl);
    await page.getByLabel('Client ID', { exact: true }).fill(config.demoTenant.clientId);
    await page.getByLabel('Client secret', { exact: true }).fill(config.demoTenant.clientSecret);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => saved?.integrated_account_id, { timeout: 20_000 }).toBeTruthy();
    expect(String(saved!.integrated_account_token).split('.')).toHaveLength(3);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('recovers from a dead link with "Start again", as the snippet answers nerm-connect-recover', async () => {
    saved = undefined;
    const page = await browser.newPage();
    await page.goto(origin);
    const config = await (await fetch(`${demo.url}/api/config`)).json();
    const widget = page.locator('nerm-connect');
    await expect.poll(() => widget.evaluate((el: any) => el.linkToken)).toMatch(/^lt_/);
    // The link dies under the user (a token the broker does not know).
    await widget.evaluate((el: any) => void (el.linkToken = 'lt_dead'));
    const fill = async () => {
      await page.getByLabel('NERM tenant URL', { exact: true }).fill(config.demoTenant.tenantUrl);
      await page.getByLabel('Client ID', { exact: true }).fill(config.demoTenant.clientId);
      await page.getByLabel('Client secret', { exact: true }).fill(config.demoTenant.clientSecret);
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
    };
    await fill();
    await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
    await page.getByRole('button', { name: 'Start again' }).click();
    await page.getByLabel('Client secret', { exact: true }).waitFor();
    await fill();
    await expect.poll(() => saved?.integrated_account_id, { timeout: 20_000 }).toBeTruthy();
    await page.close();
  }, 60_000);
});
