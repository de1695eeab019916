import { describe, expect, it } from 'vitest';
import { isPublicAddress } from './address-policy.ts';
import { HostAllowList, HostAllowListError } from './host-allow-list.ts';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.100.100.200',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    'fc00::1',
    'fd00:ec2::254',
    'fe80::1',
    'ff02::1',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '8.8.8.8',
    '52.95.110.1',
    '172.32.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
  ])('admits %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('HostAllowList', () => {
  const list = HostAllowList.parse('*.nonemployee.com,acme.example.org,http://127.0.0.1:4010');

  it('matches one label in place of *, over https only', () => {
    expect(list.check(new URL('https://acme.nonemployee.com/api'))).toEqual({
      allowed: true,
      exactOrigin: false,
    });
    expect(list.check(new URL('https://a.b.nonemployee.com')).allowed).toBe(false);
    expect(list.check(new URL('https://nonemployee.com')).allowed).toBe(false);
    expect(list.check(new URL('https://evilnonemployee.com')).allowed).toBe(false);
    expect(list.check(new URL('https://acme.nonemployee.com.evil.io')).allowed).toBe(false);
    expect(list.check(new URL('http://acme.nonemployee.com'))).toEqual({
      allowed: false,
      reason: 'not_https',
    });
    expect(list.check(new URL('https://acme.nonemployee.com:8443'))).toEqual({
      allowed: false,
      reason: 'not_https',
    });
  });

  it('allows an exact origin, plain http and loopback included, and nothing next to it', () => {
    expect(list.check(new URL('http://127.0.0.1:4010/api/profiles'))).toEqual({
      allowed: true,
      exactOrigin: true,
    });
    expect(list.check(new URL('http://127.0.0.1:4011')).allowed).toBe(false);
    expect(list.check(new URL('https://127.0.0.1:4010')).allowed).toBe(false);
    expect(list.check(new URL('http://localhost:4010')).allowed).toBe(false);
  });

  it('matches exact hosts', () => {
    expect(list.check(new URL('https://acme.example.org')).allowed).toBe(true);
    expect(list.check(new URL('https://x.acme.example.org')).allowed).toBe(false);
  });

  it('uses the contract defaults when unset', () => {
    const defaults = HostAllowList.parse(undefined);
    for (const host of [
      'acme.nonemployee.com',
      'acme.mynonemployee.com',
      'acme.seczetta.com',
      'acme.api.identitynow.com',
    ]) {
      expect(defaults.check(new URL(`https://${host}`)).allowed, host).toBe(true);
    }
  });

  it('rejects malformed entries', () => {
    for (const bad of ['*', '*.', 'ftp://x.com', 'http://x.com/path', '**.x.com', 'a b.com']) {
      expect(() => HostAllowList.parse(bad), bad).toThrow(HostAllowListError);
    }
  });
});
