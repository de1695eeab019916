import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../server.ts';
import { buildPage, startTestDemo } from './helpers.ts';

let demo: Demo;
beforeAll(async () => {
  demo = await startTestDemo({ web: 'static', staticDir: await buildPage() });
}, 120_000);
afterAll(async () => demo?.close());

describe('the demo backend', () => {
  it('serves the built page under a strict CSP', async () => {
    const page = await fetch(demo.url);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain(`connect-src 'self' ${demo.brokerUrl}`);
    const html = await page.text();
    expect(html).toContain('<nerm-connect');
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
  });

  it('hands out link tokens and never the broker API key', async () => {
    const config = await (await fetch(`${demo.url}/api/config`)).json();
    expect(config.brokerUrl).toBe(demo.brokerUrl);
    expect(JSON.stringify(config)).not.toContain('nbk_');
    const res = await fetch(`${demo.url}/api/link-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(201);
    expect((await res.json()).link_token).toMatch(/^lt_/);
    expect(await (await fetch(`${demo.url}/api/connection`)).json()).toEqual({ connected: false });
  });

  it('refuses directory reads while not connected, in the broker’s error envelope', async () => {
    const res = await fetch(`${demo.url}/api/directory`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });

  it('refuses a malformed body with invalid_request, and unknown routes with not_found', async () => {
    const bad = await fetch(`${demo.url}/api/connection`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ public_token: 42 }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('invalid_request');
    const missing = await fetch(`${demo.url}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
  });

  it('refuses a public token the broker never issued', async () => {
    const res = await fetch(`${demo.url}/api/connection`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ public_token: 'pt_forged' }),
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('public_token_invalid');
    expect(body.error.request_id).toBeTruthy();
  });
});
