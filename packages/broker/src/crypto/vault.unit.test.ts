import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Vault } from './vault.ts';

const k1 = { kid: 'k1', key: randomBytes(32) };
const k2 = { kid: 'k2', key: randomBytes(32) };
const SECRET = '{"type":"api_key","api_key":"nerm_super_secret_value"}';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('Vault (AES-256-GCM)', () => {
  it('round-trips, with a fresh 12-byte nonce and a 16-byte tag each time', () => {
    const vault = new Vault([k1]);
    const a = vault.seal(SECRET, 'acct-1');
    const b = vault.seal(SECRET, 'acct-1');
    expect(a.kid).toBe('k1');
    expect(a.blob.length).toBe(12 + Buffer.byteLength(SECRET) + 16);
    expect(a.blob.subarray(0, 12).equals(b.blob.subarray(0, 12))).toBe(false);
    expect(a.blob.includes(Buffer.from('super_secret'))).toBe(false);
    expect(vault.open(a, 'acct-1')).toBe(SECRET);
  });

  it('refuses a ciphertext moved to another account (associated data)', () => {
    const vault = new Vault([k1]);
    expect(codeOf(() => vault.open(vault.seal(SECRET, 'acct-1'), 'acct-2'))).toBe('internal');
  });

  it('refuses any flipped byte: nonce, body or tag', () => {
    const vault = new Vault([k1]);
    const sealed = vault.seal(SECRET, 'acct-1');
    for (const at of [0, 20, sealed.blob.length - 1]) {
      const blob = Buffer.from(sealed.blob);
      blob[at] = (blob[at] as number) ^ 0x01;
      expect(
        codeOf(() => vault.open({ kid: 'k1', blob }, 'acct-1')),
        `byte ${at}`,
      ).toBe('internal');
    }
  });

  it('refuses a truncated tag rather than checking fewer bytes', () => {
    const vault = new Vault([k1]);
    const sealed = vault.seal(SECRET, 'acct-1');
    const blob = sealed.blob.subarray(0, sealed.blob.length - 4);
    expect(codeOf(() => vault.open({ kid: 'k1', blob }, 'acct-1'))).toBe('internal');
  });

  it('seals with the first key and opens with any configured key', () => {
    const old = new Vault([k1]);
    const rotated = new Vault([k2, k1]);
    const sealedOld = old.seal(SECRET, 'a');
    expect(rotated.open(sealedOld, 'a')).toBe(SECRET);
    expect(rotated.seal(SECRET, 'a').kid).toBe('k2');
  });

  it('refuses an unknown key id and wrong key sizes', () => {
    const sealed = new Vault([k2]).seal(SECRET, 'a');
    expect(codeOf(() => new Vault([k1]).open(sealed, 'a'))).toBe('internal');
    expect(() => new Vault([{ kid: 'short', key: randomBytes(16) }])).toThrow(TypeError);
    expect(() => new Vault([])).toThrow(TypeError);
  });
});
