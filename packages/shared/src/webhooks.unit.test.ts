import { describe, expect, it } from 'vitest';
import { aUser } from '../test/users.ts';
import { verifyWebhook, WebhookVerificationFailed } from './webhooks.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const event = {
  id: 'evt_01J9ZQ7K3M',
  type: 'user.deactivated',
  created_at: '2025-06-01T10:00:00.000Z',
  integrated_account_id: 'acc_1',
  tenant_id: 'customer-42',
  data: {
    user: aUser({ status: 'deleted', updated_at: '2025-06-01T09:59:00Z' }),
    previous: { status: 'active' },
  },
};

/** The contract's signature, computed without the library: v1,base64(HMAC-SHA256(key, "id.ts.body")). */
async function sign(id: string, timestamp: number, body: string, secret = SECRET): Promise<string> {
  const raw = Uint8Array.from(atob(secret.slice('whsec_'.length)), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = await crypto.subtle.sign(
    'HMAC',
    key,
    new TextEncoder().encode(`${id}.${timestamp}.${body}`),
  );
  return `v1,${btoa(String.fromCharCode(...new Uint8Array(mac)))}`;
}

async function delivery(body = JSON.stringify(event), at = Math.floor(Date.now() / 1000)) {
  return {
    body,
    headers: {
      'webhook-id': event.id,
      'webhook-timestamp': String(at),
      'webhook-signature': await sign(event.id, at, body),
    } as Record<string, string>,
  };
}

function failure(run: () => unknown): WebhookVerificationFailed {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationFailed);
    return error as WebhookVerificationFailed;
  }
  throw new Error('expected verifyWebhook to throw');
}

describe('verifyWebhook', () => {
  it('returns the typed event of a correctly signed delivery', async () => {
    const { body, headers } = await delivery();
    const verified = verifyWebhook(body, headers, SECRET);
    expect(verified.type).toBe('user.deactivated');
    if (verified.type !== 'user.deactivated') throw new Error('narrowing');
    expect(verified.data.previous).toEqual({ status: 'active' });
    expect(verified.data.user.status).toBe('deleted');
  });

  it('accepts bytes, a fetch Headers object and headers in any case', async () => {
    const { body, headers } = await delivery();
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook(new TextEncoder().encode(body), upper, SECRET).id).toBe(event.id);
    expect(verifyWebhook(body, new Headers(headers), SECRET).id).toBe(event.id);
  });

  it('accepts one matching signature among several (secret rotation)', async () => {
    const { body, headers } = await delivery();
    headers['webhook-signature'] = `v1,bm90IHRoaXMgb25l ${headers['webhook-signature']}`;
    expect(verifyWebhook(body, headers, SECRET).id).toBe(event.id);
  });

  it('refuses a body changed after signing', async () => {
    const { body, headers } = await delivery();
    const tampered = body.replace('"deleted"', '"active"');
    expect(failure(() => verifyWebhook(tampered, headers, SECRET)).code).toBe('invalid_signature');
  });

  it('refuses re-serialised JSON that is not byte for byte what was signed', async () => {
    const { body, headers } = await delivery(JSON.stringify(event, null, 2));
    expect(verifyWebhook(body, headers, SECRET).id).toBe(event.id);
    const reserialised = JSON.stringify(JSON.parse(body));
    expect(failure(() => verifyWebhook(reserialised, headers, SECRET)).code).toBe(
      'invalid_signature',
    );
  });

  it('refuses another secret, missing headers and a stale timestamp', async () => {
    const { body, headers } = await delivery();
    expect(
      failure(() => verifyWebhook(body, headers, 'whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldCE=')).code,
    ).toBe('invalid_signature');
    const { 'webhook-signature': _gone, ...unsigned } = headers;
    expect(failure(() => verifyWebhook(body, unsigned, SECRET)).code).toBe('invalid_signature');
    const old = await delivery(body, Math.floor(Date.now() / 1000) - 3600);
    expect(failure(() => verifyWebhook(old.body, old.headers, SECRET)).message).toMatch(/too old/);
  });

  it('refuses a signed body that is not a lifecycle event, or whose id is not webhook-id', async () => {
    const notEvent = await delivery(JSON.stringify({ id: event.id, type: 'user.exploded' }));
    expect(failure(() => verifyWebhook(notEvent.body, notEvent.headers, SECRET)).code).toBe(
      'invalid_payload',
    );
    const other = await delivery(JSON.stringify({ ...event, id: 'evt_other' }));
    expect(failure(() => verifyWebhook(other.body, other.headers, SECRET)).code).toBe(
      'invalid_payload',
    );
  });

  it('refuses a malformed secret with its own code', async () => {
    const { body, headers } = await delivery();
    expect(failure(() => verifyWebhook(body, headers, 'whsec_')).code).toBe('invalid_secret');
  });
});
