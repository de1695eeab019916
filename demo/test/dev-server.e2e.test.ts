import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../server.ts';
import { CHROME, launchChromium, startTestDemo } from './helpers.ts';

let demo: Demo;
beforeAll(async () => {
  demo = await startTestDemo({ web: 'dev' });
}, 120_000);
afterAll(async () => demo?.close());

describe('pnpm demo while developing: Vite in front of the backend', () => {
  it('serves the page through Vite with its client and a per-process style nonce', async () => {
    const res = await fetch(demo.url);
    const html = await res.text();
    expect(html).toContain('/@vite/client');
    const nonce = /<meta property="csp-nonce" nonce="([^"]+)"/.exec(html)?.[1];
    expect(nonce).toBeTruthy();
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
    expect(csp).not.toContain('unsafe-inline');
    const module = await fetch(`${demo.url}/main.ts`);
    expect(module.headers.get('content-type')).toMatch(/javascript/);
  });

  it('keeps /api on the demo backend', async () => {
    const res = await fetch(`${demo.url}/api/connection`);
    expect(await res.json()).toEqual({ connected: false });
  });

  describe.skipIf(!CHROME)('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => browser?.close());

    it('loads with hot reload connected and no CSP violation', async () => {
      const page = await browser.newPage();
      const messages: string[] = [];
      page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
      await page.goto(demo.url);
      await page.getByRole('button', { name: 'Connect SailPoint NERM' }).waitFor();
      await expect.poll(() => messages.some((m) => m.includes('[vite] connected'))).toBe(true);
      expect(messages.filter((m) => /Content Security Policy/i.test(m))).toEqual([]);
      await page.close();
    }, 60_000);
  });
});
