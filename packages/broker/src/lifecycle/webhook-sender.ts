import { Webhook } from 'standardwebhooks';
import { OutboundError, type Outbound } from '../nerm/outbound.ts';

/**
 * Delay before each attempt, Svix's schedule: at once, 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h, 10 h — eight attempts over about 27.5 hours, so a receiver down for a day
 * still gets everything (docs/decisions/0052-webhook-delivery.md).
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/** When to try again after `attempts` attempts have failed, or null: give up. */
export function nextAttemptAt(
  attempts: number,
  failedAt: number,
  schedule: readonly number[] = RETRY_SCHEDULE_MS,
): number | null {
  const delay = schedule[attempts];
  return delay === undefined ? null : failedAt + delay;
}

export type SendOutcome =
  { ok: true; status: number } | { ok: false; status: number | null; error: string };

export interface WebhookSenderOptions {
  url: URL;
  /** `whsec_` + base64: NERM_BROKER_WEBHOOK_SECRET. */
  secret: string;
  /** The guarded door (allow-list, SSRF checks, timeouts), configured for receivers. */
  outbound: Outbound;
  now?: () => number;
}

/**
 * One delivery attempt per Standard Webhooks: the stored body byte for byte, signed by
 * the `standardwebhooks` package with a fresh timestamp on each attempt. A 2xx is
 * success; any other status, a timeout or a refused address is a failure to retry.
 */
export class WebhookSender {
  private readonly signer: Webhook;
  private readonly now: () => number;

  constructor(private readonly options: WebhookSenderOptions) {
    this.signer = new Webhook(options.secret);
    this.now = options.now ?? Date.now;
    options.outbound.admit(options.url);
  }

  get url(): URL {
    return this.options.url;
  }

  async send(event: { id: string; body: string }): Promise<SendOutcome> {
    const timestamp = new Date(this.now());
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'nerm-connect-webhooks/1',
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': this.signer.sign(event.id, timestamp, event.body),
    };
    try {
      const res = await this.options.outbound.request({
        url: this.options.url,
        method: 'POST',
        headers,
        body: event.body,
      });
      if (res.status >= 200 && res.status <= 299) return { ok: true, status: res.status };
      return { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (error) {
      if (error instanceof OutboundError)
        return { ok: false, status: null, error: `${error.kind}: ${error.message}` };
      throw error;
    }
  }
}
