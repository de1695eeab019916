import { describe, expect, it } from 'vitest';
import { BrokerError } from '../errors.ts';
import { safeUpstreamPath } from './proxy-service.ts';

/** The code `safeUpstreamPath` refuses `raw` with, or `accepted`. */
function verdict(raw: string): string {
  try {
    expect(safeUpstreamPath(raw)).toBe(raw);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(BrokerError);
    return (error as BrokerError).code;
  }
}

describe('safeUpstreamPath (the proxy path after /proxy/, still percent-encoded)', () => {
  it.each([
    'profiles',
    'profiles/0b1c2d3e-0000-4000-8000-000000000001',
    'profile_types/abc/attributes',
    'profiles/a%20b',
    'profiles/name;v=1',
    "role_profiles/~x!$'()*+,=@-._",
  ])('passes %j through unchanged', (raw) => {
    expect(verdict(raw)).toBe('accepted');
  });

  it.each([
    ['a parent segment', '../secrets'],
    ['a parent segment further in', 'profiles/../../admin'],
    ['a current segment', 'profiles/./x'],
    ['an encoded dot segment', '%2e%2e/admin'],
    ['an encoded dot, upper case', 'profiles/%2E%2E'],
    ['an encoded slash', 'profiles%2f..%2fadmin'],
    ['an encoded backslash', 'profiles%5cadmin'],
    ['an encoded percent (double encoding)', 'profiles/%252e%252e'],
    ['an encoded NUL', 'profiles/%00'],
    ['an encoded line break', 'profiles/%0d%0aX-Injected:1'],
    ['an encoded tab', 'profiles/%09'],
    ['a dot segment before a parameter', '..;/admin'],
    ['a dot segment before an encoded parameter', 'profiles/..%3bx/admin'],
    ['an empty segment before a parameter', 'profiles/;x/admin'],
    ['a full-width dot', 'profiles/%EF%BC%8E%EF%BC%8E'],
    ['an overlong dot', 'profiles/%C0%AE%C0%AE'],
    ['a leading slash', '/profiles'],
    ['a doubled slash', 'profiles//x'],
    ['a trailing slash', 'profiles/'],
    ['nothing', ''],
    ['an absolute URL', 'https://evil.example/api/profiles'],
    ['a scheme', 'javascript:alert(1)'],
    ['a raw backslash', 'profiles\\..\\admin'],
    ['a raw space', 'profiles/a b'],
    ['a query', 'profiles?limit=1'],
    ['a fragment', 'profiles#x'],
    ['a control character', 'profiles/\u0007'],
    ['a non-ASCII character', 'profiles/é'],
    ['more than 1024 characters', `profiles/${'a'.repeat(1020)}`],
  ])('refuses %s (%j) as invalid_request', (_what, raw) => {
    expect(verdict(raw)).toBe('invalid_request');
  });

  it('takes 1024 characters, the most it allows', () => {
    expect(verdict(`profiles/${'a'.repeat(1015)}`)).toBe('accepted');
  });
});
