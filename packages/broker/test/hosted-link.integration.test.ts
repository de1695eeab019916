import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

// The hosted connect link over HTTP (docs/hosted-link.md); hosted-link.e2e.test.ts walks
// it in Chromium.

let stack: Stack;
let clock = 0;
const PUBLIC_URL = 'https://connect.example.com/nerm';

beforeAll(async () => {
  stack = await startStack({
    env: {
      NERM_BROKER_PUBLIC_URL: PUBLIC_URL,
      NERM_BROKER_APP_NAME: 'Acme <HR> & "Co"',
      NERM_BROKER_APP_LOGO_URL: 'https://cdn.acme.test/logo.svg',
    },
    overrides: { now: () => Date.now() + clock },
  });
});
afterAll(async () => stack?.close());

const create = (json: Record<string, unknown>) =>
  stack.admin('/link-tokens', { method: 'POST', json: { tenant_id: 'acme', ...json } });

describe('POST /link-tokens {hosted: true}', () => {
  it('returns a hosted_url on the public URL, the link token in its fragment', async () => {
    const res = await create({ hosted: true });
    expect(res.status).toBe(201);
    expect(res.body.hosted_url).toBe(`${PUBLIC_URL}/connect#${res.body.link_token}`);
    // 30 minutes unless told otherwise.
    const ttl = Date.parse(res.body.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);
    // The token is an ordinary link token.
    expect((await stack.call('/link/session', { token: res.body.link_token })).status).toBe(200);
  });

  it('lives up to 7 days with expires_in, and no hosted_url unless asked', async () => {
    const week = await create({ hosted: true, expires_in: 604_800 });
    expect(week.status).toBe(201);
    const ttl = Date.parse(week.body.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(604_790_000);
    expect(ttl).toBeLessThanOrEqual(604_800_000);
    const plain = await create({ expires_in: 120 });
    expect(plain.status).toBe(201);
    expect(plain.body).not.toHaveProperty('hosted_url');
    expect(Date.parse(plain.body.expires_at) - Date.now()).toBeLessThanOrEqual(120_000);
  });

  it('refuses a lifetime under a minute or over 7 days, and a hosted flag that is not a boolean', async () => {
    for (const body of [{ expires_in: 604_801 }, { expires_in: 59 }, { expires_in: 1.5 }]) {
      const res = await create({ hosted: true, ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.issues[0].path).toEqual(['expires_in']);
    }
    const res = await create({ hosted: 'yes' });
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toEqual(['hosted']);
  });

  it('expires when its expires_in has passed, like any link token', async () => {
    const res = await create({ hosted: true, expires_in: 60 });
    clock += 61_000;
    try {
      const session = await stack.call('/link/session', { token: res.body.link_token });
      expect(session.status).toBe(401);
      expect(session.body.error.code).toBe('link_token_invalid');
    } finally {
      clock -= 61_000;
    }
  });
});

describe('GET /connect (the hosted page)', () => {
  it('is HTML under a strict policy: scripts only by this response’s nonce, none inline', async () => {
    const res = await stack.call('/connect');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const policy = res.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'/.exec(policy)?.[1];
    expect(nonce, policy).toBeDefined();
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('unsafe-eval');
    for (const directive of [
      "default-src 'none'",
      "style-src 'self'",
      "connect-src 'self'",
      "img-src 'self' https://cdn.acme.test",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ])
      expect(policy).toContain(directive);
    const scripts = [...res.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(2);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toContain(`nonce="${nonce}"`);
      expect(attributes).toMatch(/ src="https:\/\/connect\.example\.com\/nerm\/connect\/assets\//);
      expect(body).toBe('');
    }
    expect(res.text).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    // A fresh nonce per response.
    const again = await stack.call('/connect');
    expect(again.headers.get('content-security-policy')).not.toContain(nonce);
  });

  it('names the app from configuration, escaped, with its logo, and points the widget at the broker', async () => {
    const { text } = await stack.call('/connect');
    expect(text).toContain('Acme &lt;HR&gt; &amp; &quot;Co&quot;');
    expect(text).not.toContain('<HR>');
    expect(text).toContain('<img class="logo" src="https://cdn.acme.test/logo.svg" alt=""');
    expect(text).toContain(`data-broker-url="${PUBLIC_URL}"`);
    expect(text).toContain('data-session-path="/link/session"');
    expect(text).toMatch(/<nerm-connect id="widget" data-state hidden theme="auto"/);
  });

  it('serves the widget’s one-file build and the page’s own files, and nothing else of the package', async () => {
    const bundle = await stack.call('/connect/assets/nerm-connect.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect(bundle.text).toContain('customElements');
    const chunk = /chunks\/on-demand-[\w-]+\.js/.exec(bundle.text)?.[0];
    expect(chunk).toBeDefined();
    expect((await stack.call(`/connect/assets/${chunk}`)).status).toBe(200);
    expect((await stack.call('/connect/assets/connect-page.js')).status).toBe(200);
    expect((await stack.call('/connect/assets/connect-page.css')).status).toBe(200);
    expect((await stack.call('/connect/assets/favicon.svg')).status).toBe(200);
    for (const path of [
      '/connect/assets/lib/index.js',
      '/connect/assets/types/index.d.ts',
      '/connect/assets/chunks/../nerm-connect.js.map',
      '/connect/assets/%2e%2e/package.json',
    ])
      expect((await stack.call(path)).status, path).toBe(404);
  });
});

describe('the link endpoints from the hosted page', () => {
  it('admit the broker’s own origin and its public URL’s, and still refuse others', async () => {
    const lt = (await create({ hosted: true })).body.link_token;
    for (const origin of [stack.url, 'https://connect.example.com']) {
      const res = await stack.call('/link/session', { token: lt, headers: { origin } });
      expect(res.status, origin).toBe(200);
    }
    const refused = await stack.call('/link/session', {
      token: lt,
      headers: { origin: 'https://evil.example' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('origin_not_allowed');
  });
});
