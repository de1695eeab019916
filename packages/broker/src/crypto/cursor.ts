import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { BrokerError } from '../errors.ts';
import type { EncryptionKey } from './vault.ts';

export interface CursorPayload {
  /** Upstream record offset where the page starts (or, going back, ends). */
  o: number;
  /** Set on a prev_cursor: the page ends at `o` instead of starting there. */
  b?: true;
}

interface SignedPayload extends CursorPayload {
  v: 1;
  /** Account the cursor was issued to. */
  a: string;
  /** Resource and filters it was issued for (a digest). */
  s: string;
}

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

  encode(accountId: string, scope: string, payload: CursorPayload): string {
    const body: SignedPayload = {
      v: 1,
      a: accountId,
      s: scope,
      o: payload.o,
      ...(payload.b ? { b: true } : {}),
    };
    const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
    return `${encoded}.${this.mac(this.keys[0] as Buffer, encoded)}`;
  }

  decode(cursor: string, accountId: string, scope: string): CursorPayload {
    const [encoded, mac, extra] = cursor.split('.');
    if (!encoded || !mac || extra !== undefined) throw invalid();
    const presented = Buffer.from(mac, 'base64url');
    const genuine = this.keys.some((key) => {
      const expected = Buffer.from(this.mac(key, encoded), 'base64url');
      return expected.length === presented.length && timingSafeEqual(expected, presented);
    });
    if (!genuine) throw invalid();
    let body: SignedPayload;
    try {
      body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as SignedPayload;
    } catch {
      throw invalid();
    }
    if (
      body.v !== 1 ||
      !Number.isInteger(body.o) ||
      body.o < 0 ||
      (body.b !== undefined && body.b !== true)
    )
      throw invalid();
    if (body.a !== accountId || body.s !== scope) {
      throw new BrokerError(
        'invalid_cursor',
        'This cursor belongs to another account or to other filters',
      );
    }
    return body.b ? { o: body.o, b: true } : { o: body.o };
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
