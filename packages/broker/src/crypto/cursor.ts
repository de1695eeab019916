import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { z } from 'zod';
import { BrokerError } from '../errors.ts';
import { safeEqual } from './tokens.ts';
import type { EncryptionKey } from './vault.ts';

/** Offset lists (roles, the paged proxy): where the page starts (or, going back, ends). */
export const OffsetCursor = z.strictObject({
  o: z.number().int().min(0),
  /**
   * The last ids read before `o`, newest first (packed as in users cursors): the next page
   * re-finds its place after them (docs/decisions/0013-anchored-offset-paging.md).
   */
  t: z.array(z.string().min(1).max(256)).min(1).max(8).optional(),
  /** Set on a prev_cursor: the page ends at `o` instead of starting there. */
  b: z.literal(true).optional(),
});
export type OffsetCursor = z.infer<typeof OffsetCursor>;

/** What the codec adds around a payload; payload keys must not use these names. */
interface Envelope {
  v: 1;
  /** Account the cursor was issued to. */
  a: string;
  /** Resource and filters it was issued for (a digest). */
  s: string;
}
const RESERVED = ['v', 'a', 's'];

/** A stable digest of a list's scope: resource plus every filter, in a fixed order. */
export function scopeDigest(resource: string, filters: Record<string, string | undefined>): string {
  const canonical = Object.keys(filters)
    .sort()
    .filter((k) => filters[k] !== undefined)
    .map((k) => [k, filters[k]]);
  return createHash('sha256')
    .update(JSON.stringify([resource, canonical]))
    .digest('base64url')
    .slice(0, 22);
}

/**
 * Opaque, tamper-evident paging cursors: `base64url(payload).base64url(HMAC)`, bound to
 * the account and the list scope. The HMAC key derives from the encryption keys (first
 * signs, all verify), so every replica accepts every other replica's cursors.
 */
export class CursorCodec {
  private readonly keys: Buffer[];

  constructor(encryptionKeys: readonly EncryptionKey[]) {
    this.keys = encryptionKeys.map(({ key }) =>
      Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'nerm-connect cursor v1', 32)),
    );
  }

  encode(accountId: string, scope: string, payload: object): string {
    if (Object.keys(payload).some((k) => RESERVED.includes(k))) {
      throw new TypeError(`cursor payload keys ${RESERVED.join(', ')} are the codec's own`);
    }
    const body: Envelope = { ...payload, v: 1, a: accountId, s: scope };
    const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
    return `${encoded}.${this.mac(this.keys[0] as Buffer, encoded)}`;
  }

  decode<T = OffsetCursor>(
    cursor: string,
    accountId: string,
    scope: string,
    schema: z.ZodType<T> = OffsetCursor as unknown as z.ZodType<T>,
  ): T {
    const [encoded, mac, extra] = cursor.split('.');
    if (!encoded || !mac || extra !== undefined) throw invalid();
    // The MAC is compared as text, not decoded: base64url's last character has unused
    // bits, and a decoded comparison accepted the same cursor spelled several ways
    // (docs/security.md, "Findings and fixes").
    const genuine = this.keys.some((key) => safeEqual(this.mac(key, encoded), mac));
    if (!genuine) throw invalid();
    let body: Envelope & Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as typeof body;
    } catch {
      throw invalid();
    }
    if (body.v !== 1) throw invalid();
    if (body.a !== accountId || body.s !== scope) {
      throw new BrokerError(
        'invalid_cursor',
        'This cursor belongs to another account or to other filters',
      );
    }
    const { v: _v, a: _a, s: _s, ...payload } = body;
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw invalid();
    return parsed.data;
  }

  private mac(key: Buffer, encoded: string): string {
    return createHmac('sha256', key).update(encoded).digest('base64url');
  }
}

function invalid(): BrokerError {
  return new BrokerError(
    'invalid_cursor',
    'next_cursor was altered or was not issued by this broker',
  );
}
