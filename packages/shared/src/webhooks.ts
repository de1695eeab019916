import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { LifecycleEventSchema, type LifecycleEvent } from './schemas/event.ts';

export type WebhookErrorCode =
  /** Headers missing, timestamp outside five minutes, or no signature matches. */
  | 'invalid_signature'
  /** Signed correctly, but not a lifecycle event this SDK knows. */
  | 'invalid_payload'
  /** The secret is not `whsec_` + base64. */
  | 'invalid_secret';

/** Why `verifyWebhook` refused a delivery. Answer it with a 4xx (400 or 401). */
export class WebhookVerificationFailed extends Error {
  readonly code: WebhookErrorCode;
  constructor(code: WebhookErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookVerificationFailed';
    this.code = code;
  }
}

/** Node's `req.headers`, a fetch `Headers`, or a plain record. */
export type WebhookHeaders =
  | Headers
  | Record<string, string | readonly string[] | undefined>
  | { get(name: string): string | null };

const NAMES = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function pick(headers: WebhookHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  const getter = (headers as { get?: unknown }).get;
  for (const name of NAMES) {
    let value: unknown;
    if (typeof getter === 'function') value = (headers as { get(n: string): unknown }).get(name);
    else {
      const record = headers as Record<string, unknown>;
      const key = Object.keys(record).find((k) => k.toLowerCase() === name);
      value = key === undefined ? undefined : record[key];
    }
    if (Array.isArray(value)) value = value.join(' ');
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/**
 * Checks a lifecycle webhook (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, HMAC-SHA256 over the raw body) and returns the typed event, or
 * throws `WebhookVerificationFailed`. Pass the body exactly as received, before any JSON
 * parsing: re-serialised JSON does not verify. Deduplicate on `event.id`.
 */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
): LifecycleEvent {
  let webhook: Webhook;
  try {
    webhook = new Webhook(secret);
  } catch (error) {
    throw new WebhookVerificationFailed('invalid_secret', 'The webhook secret is malformed', {
      cause: error,
    });
  }
  let payload: unknown;
  try {
    payload = webhook.verify(rawBody, pick(headers));
  } catch (error) {
    if (error instanceof WebhookVerificationError)
      throw new WebhookVerificationFailed('invalid_signature', error.message, { cause: error });
    throw new WebhookVerificationFailed('invalid_payload', 'The body is not JSON', {
      cause: error,
    });
  }
  const parsed = LifecycleEventSchema.safeParse(payload);
  if (!parsed.success)
    throw new WebhookVerificationFailed('invalid_payload', 'The body is not a lifecycle event', {
      cause: parsed.error,
    });
  if (parsed.data.id !== pick(headers)['webhook-id'])
    throw new WebhookVerificationFailed('invalid_payload', 'The body id differs from webhook-id');
  return parsed.data;
}
