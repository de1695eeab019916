import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BrokerError } from '../errors.ts';

export interface EncryptionKey {
  kid: string;
  key: Buffer;
}

export interface Sealed {
  kid: string;
  /** nonce (12) ‖ ciphertext ‖ tag (16). */
  blob: Buffer;
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for credentials at rest. The account id is associated data, so a
 * ciphertext moved to another account's row fails to open. The first key seals; every
 * configured key opens, which is what lets keys rotate.
 */
export class Vault {
  private readonly keys: Map<string, Buffer>;
  readonly activeKid: string;

  constructor(keys: readonly EncryptionKey[]) {
    const first = keys[0];
    if (!first) throw new TypeError('Vault needs at least one encryption key');
    for (const { kid, key } of keys) {
      if (key.length !== 32) throw new TypeError(`encryption key ${kid} must be 32 bytes`);
    }
    this.keys = new Map(keys.map(({ kid, key }) => [kid, key]));
    this.activeKid = first.kid;
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  seal(plaintext: string, associatedData: string): Sealed {
    const key = this.keys.get(this.activeKid) as Buffer;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { kid: this.activeKid, blob: Buffer.concat([nonce, body, cipher.getAuthTag()]) };
  }

  open(sealed: Sealed, associatedData: string): string {
    const key = this.keys.get(sealed.kid);
    if (!key) {
      throw new BrokerError(
        'internal',
        'A stored credential was sealed with an unknown encryption key',
      );
    }
    const { blob } = sealed;
    if (blob.length < NONCE_BYTES + TAG_BYTES) {
      throw new BrokerError('internal', 'A stored credential is malformed');
    }
    const nonce = blob.subarray(0, NONCE_BYTES);
    const tag = blob.subarray(blob.length - TAG_BYTES);
    const body = blob.subarray(NONCE_BYTES, blob.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new BrokerError('internal', 'A stored credential failed its integrity check', {
        cause,
      });
    }
  }
}
