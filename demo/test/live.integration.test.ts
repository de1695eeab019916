import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../server.ts';
import { startTestDemo } from './helpers.ts';

// Offboarding in NERM, live, without a browser: the presenter acts as NERM admin, the
// broker's signed webhook reaches the demo backend, and the person loses Shiftboard
// access; a forged delivery changes nothing; a hosted link connects the tenant.

let demo: Demo;
let config: { demoTenant: { tenantUrl: string; apiKey: string } };
/** Kept across the restart at the end, as `pnpm demo` keeps demo/.data. */
const dataDir = mkdtempSync(join(tmpdir(), 'demo-live-'));
beforeAll(async () => {
  demo = await startTestDemo({ web: 'static', staticDir: '/nonexistent', dataDir });
  config = await (await fetch(`${demo.url}/api/config`)).json();
}, 180_000);
afterAll(async () => demo?.close());

const json = async (path: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await fetch(`${demo.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
};

interface Activity {
  watching: string;
  entries: { seq: number; kind: string; code: string; text: string; userId?: string }[];
  revoked: string[];
}
const activity = async (): Promise<Activity> => (await json('/api/activity')).body;

/** Connects the sandbox through the broker with a link token, as the widget does. */
async function connectWith(linkToken: string): Promise<number> {
  const res = await fetch(`${demo.brokerUrl}/link/connect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${linkToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      tenant_url: config.demoTenant.tenantUrl,
      auth: { type: 'api_key', api_key: config.demoTenant.apiKey },
    }),
  });
  const body = await res.json();
  if (res.status === 201)
    await json('/api/connection', {
      method: 'POST',
      body: { public_token: body.public_token },
    });
  return res.status;
}

describe('offboarding in NERM, live', () => {
  it('waits for the broker’s first look at the tenant before it simulates anything', async () => {
    const early = await json('/api/simulate', {
      method: 'POST',
      body: { action: 'terminate', user_id: 'x' },
    });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('not_watching');
    const { link_token } = (await json('/api/link-token', { method: 'POST', body: {} })).body;
    expect(await connectWith(link_token)).toBe(201);
    await expect.poll(async () => (await activity()).watching, { timeout: 60_000 }).toBe('live');
  }, 90_000);

  it('ends a contract in NERM; the signed webhook arrives and Shiftboard revokes the person', async () => {
    const page = (await json('/api/directory?status=active')).body;
    const person = page.result[0];
    const res = await json('/api/simulate', {
      method: 'POST',
      body: { action: 'end_contract', user_id: person.id },
    });
    expect(res.status).toBe(202);
    expect(res.body.profile_id).toBe(person.id);
    await expect
      .poll(async () => (await activity()).revoked, { timeout: 30_000 })
      .toContain(person.id);
    const { entries } = await activity();
    const mine = entries.filter((e) => e.userId === person.id);
    expect(mine.map((e) => [e.kind, e.code])).toEqual([
      ['nerm_admin', 'end_contract'],
      ['event', 'user.deactivated'],
    ]);
    expect(mine[1]!.text).toBe(
      `${person.name} is no longer active in NERM. Shiftboard revoked their access.`,
    );
    // And NERM says so through the broker too.
    const after = (await json(`/api/directory?status=inactive`)).body.result;
    expect(after.map((u: { id: string }) => u.id)).toContain(person.id);
  }, 60_000);

  it('hires someone in NERM: user.created, with access', async () => {
    const res = await json('/api/simulate', {
      method: 'POST',
      body: { action: 'hire', first_name: 'Mae', last_name: 'Jemison' },
    });
    expect(res.status).toBe(202);
    await expect
      .poll(
        async () =>
          (await activity()).entries.find(
            (e) => e.userId === res.body.profile_id && e.code === 'user.created',
          )?.text,
        { timeout: 30_000 },
      )
      .toBe('Mae Jemison joined NERM (Contractor). Shiftboard gave them access.');
  }, 60_000);

  it('refuses a delivery the broker did not sign, and revokes nobody', async () => {
    const before = await activity();
    const body = JSON.stringify({
      id: 'evt_forged',
      type: 'user.deactivated',
      created_at: new Date().toISOString(),
      integrated_account_id: 'x',
      tenant_id: 'northwind-health',
      data: { user: { id: 'victim' }, previous: {} },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const wrongKey = Buffer.alloc(32, 7);
    const signature = createHmac('sha256', wrongKey)
      .update(`evt_forged.${timestamp}.${body}`)
      .digest('base64');
    const res = await fetch(`${demo.url}/webhooks/nerm-connect`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'evt_forged',
        'webhook-timestamp': timestamp,
        'webhook-signature': `v1,${signature}`,
      },
      body,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_signature');
    const after = await activity();
    expect(after.revoked).toEqual(before.revoked);
    expect(after.entries.at(-1)).toMatchObject({ kind: 'refused', code: 'invalid_signature' });
  });
});

describe('a hosted link sent to the NERM admin', () => {
  it('connects the tenant from the broker’s page; Shiftboard takes the account on from the webhook', async () => {
    await json('/api/connection', { method: 'DELETE' });
    expect((await json('/api/connection')).body).toEqual({ connected: false });
    const link = await json('/api/hosted-link', { method: 'POST', body: {} });
    expect(link.status).toBe(201);
    const url = new URL(link.body.hosted_url);
    expect(`${url.origin}${url.pathname}`).toBe(`${demo.brokerUrl}/connect`);
    const ttl = Date.parse(link.body.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(6.9 * 86_400_000);
    // The NERM admin completes the page (the widget's call, without a browser here).
    const res = await fetch(`${demo.brokerUrl}/link/connect`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${url.hash.slice(1)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        tenant_url: config.demoTenant.tenantUrl,
        auth: { type: 'api_key', api_key: config.demoTenant.apiKey },
      }),
    });
    expect(res.status).toBe(201);
    await expect
      .poll(async () => (await json('/api/connection')).body.connected, { timeout: 30_000 })
      .toBe(true);
    await expect.poll(async () => (await activity()).watching, { timeout: 60_000 }).toBe('live');
  }, 120_000);
});

describe('the demo backend restarted', () => {
  it('shows what the broker delivered before, from its event feed (GET /events), and whom NERM ended', async () => {
    const person = (await json('/api/directory?status=active')).body.result[0];
    const res = await json('/api/simulate', {
      method: 'POST',
      body: { action: 'terminate', user_id: person.id },
    });
    expect(res.status).toBe(202);
    await expect
      .poll(async () => (await activity()).revoked, { timeout: 30_000 })
      .toContain(person.id);
    const shown = (await activity()).entries.filter((e) => e.kind === 'event');

    await demo.close();
    demo = await startTestDemo({ web: 'static', staticDir: '/nonexistent', dataDir });
    const ended = (e: Activity['entries'][number]) =>
      e.code === 'user.deactivated' && e.userId === person.id;
    await expect
      .poll(async () => (await activity()).entries.some(ended), { timeout: 30_000 })
      .toBe(true);
    const after = await activity();
    expect(after.revoked).toContain(person.id);
    const codes = after.entries.map((e) => e.code);
    expect(codes).toContain('integrated_account.connected');
    // Each restored line is one the page showed before the restart, once.
    for (const entry of after.entries) {
      expect(
        shown.map((e) => e.text),
        entry.text,
      ).toContain(entry.text);
    }
    expect(new Set(after.entries.map((e) => e.text)).size).toBe(after.entries.length);
  }, 180_000);
});
