import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@nerm-connect/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostAllowList } from '../nerm/host-allow-list.ts';
import { Outbound, OutboundError } from '../nerm/outbound.ts';
import { RETRY_SCHEDULE_MS, WebhookSender, nextAttemptAt } from './webhook-sender.ts';

const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let origin: string;
let received: Received[] = [];
/** What the receiver answers next: a status, or 'hang'. */
let answer: number | 'hang' = 204;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (answer !== 'hang') res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function sender(options: { requestTimeoutMs?: number; now?: () => number } = {}) {
  const outbound = new Outbound({
    allowList: HostAllowList.parse(`${origin},*.nonemployee.com`),
    requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
  });
  return new WebhookSender({
    url: new URL(`${origin}/hooks/nerm-connect`),
    secret: SECRET,
    outbound,
    ...(options.now ? { now: options.now } : {}),
  });
}

const body = JSON.stringify({
  id: 'evt_1',
  type: 'integrated_account.disconnected',
  created_at: '2025-06-01T10:00:00.000Z',
  integrated_account_id: 'acc_1',
  tenant_id: 't1',
  data: {
    integrated_account: {
      id: 'acc_1',
      tenant_id: 't1',
      tenant_host: 'acme.nonemployee.com',
      auth_type: 'pat',
      status: 'disconnected',
      created_at: '2025-06-01T09:00:00.000Z',
      updated_at: '2025-06-01T10:00:00.000Z',
      last_verified_at: null,
      credential_hint: null,
      field_mapping: {},
      sync_hook_url: null,
    },
  },
});

describe('WebhookSender', () => {
  it('POSTs the stored body as is, signed so that a Standard Webhooks receiver verifies it', async () => {
    received = [];
    answer = 204;
    const outcome = await sender().send({ id: 'evt_1', body });
    expect(outcome).toEqual({ ok: true, status: 204 });
    const [hit] = received;
    expect(hit?.url).toBe('/hooks/nerm-connect');
    expect(hit?.headers['content-type']).toBe('application/json');
    expect(hit?.headers['webhook-id']).toBe('evt_1');
    expect(hit?.body).toBe(body);
    const event = verifyWebhook(hit!.body, hit!.headers, SECRET);
    expect(event.type).toBe('integrated_account.disconnected');
  });

  it('keeps the id and re-signs with a fresh timestamp on a retry', async () => {
    received = [];
    let clock = Date.now() - 60_000;
    const s = sender({ now: () => clock });
    await s.send({ id: 'evt_1', body });
    clock += 30_000;
    await s.send({ id: 'evt_1', body });
    const [first, second] = received;
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    expect(Number(second?.headers['webhook-timestamp'])).toBe(
      Number(first?.headers['webhook-timestamp']) + 30,
    );
    expect(second?.headers['webhook-signature']).not.toBe(first?.headers['webhook-signature']);
    for (const hit of received)
      expect(verifyWebhook(hit.body, hit.headers, SECRET).id).toBe('evt_1');
  });

  it('reports a non-2xx answer as a failure with its status', async () => {
    for (const status of [500, 410, 302]) {
      answer = status;
      expect(await sender().send({ id: 'evt_1', body })).toEqual({
        ok: false,
        status,
        error: `HTTP ${status}`,
      });
    }
  });

  it('gives up on a receiver that does not answer within the per-request timeout', async () => {
    answer = 'hang';
    const outcome = await sender({ requestTimeoutMs: 200 }).send({ id: 'evt_1', body });
    expect(outcome).toMatchObject({
      ok: false,
      status: null,
      error: expect.stringMatching(/^timeout/),
    });
    answer = 204;
  });

  it('refuses a receiver URL the outbound guard does not admit', () => {
    const outbound = new Outbound({ allowList: HostAllowList.parse(`*.nonemployee.com`) });
    for (const url of [
      `${origin}/x`,
      'http://169.254.169.254/latest',
      'https://example.com/hook',
    ]) {
      expect(() => new WebhookSender({ url: new URL(url), secret: SECRET, outbound })).toThrow(
        OutboundError,
      );
    }
  });
});

describe('retry schedule', () => {
  it('retries at once, after 5 s, then minutes and hours, for at least 24 hours', () => {
    expect(RETRY_SCHEDULE_MS.slice(0, 3)).toEqual([0, 5_000, 300_000]);
    const total = RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(nextAttemptAt(1, 1_000)).toBe(6_000);
    expect(nextAttemptAt(RETRY_SCHEDULE_MS.length, 1_000)).toBeNull();
  });
});
