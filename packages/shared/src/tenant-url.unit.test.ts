import { describe, expect, it } from 'vitest';
import { defaultTokenUrl, normalizeTenantUrl } from './tenant-url.ts';

describe('normalizeTenantUrl', () => {
  it.each([
    ['acme', 'https://acme.nonemployee.com'],
    [' ACME ', 'https://acme.nonemployee.com'],
    ['acme.nonemployee.com', 'https://acme.nonemployee.com'],
    ['acme.nonemployee.com.', 'https://acme.nonemployee.com'],
    ['https://acme.nonemployee.com/api/', 'https://acme.nonemployee.com'],
    ['https://Acme.NonEmployee.com/neprofile_admin/login?x=1#top', 'https://acme.nonemployee.com'],
    ['acme.mynonemployee.com', 'https://acme.mynonemployee.com'],
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
    ['acme-corp-2', 'https://acme-corp-2.nonemployee.com'],
  ])('%j means %s', (input, origin) => {
    const result = normalizeTenantUrl(input);
    expect(result.ok && result.origin).toBe(origin);
  });

  it('names the tenant after the first label', () => {
    expect(normalizeTenantUrl('https://acme.nonemployee.com/api')).toMatchObject({
      host: 'acme.nonemployee.com',
      tenant: 'acme',
    });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['acme corp', 'invalid_characters'],
    ['acme\\evil.com', 'invalid_characters'],
    ['acme.nonemployee.com\r\nHost: evil', 'invalid_characters'],
    ['https://acme.nonemployee.com@evil.example', 'credentials_in_url'],
    ['https://user:pw@acme.nonemployee.com', 'credentials_in_url'],
    ['https://@acme.nonemployee.com', 'credentials_in_url'],
    ['ftp://acme.nonemployee.com', 'unsupported_scheme'],
    ['javascript:alert(1)', 'unsupported_scheme'],
    ['file:///etc/passwd', 'unsupported_scheme'],
    ['https://-acme.nonemployee.com', 'invalid_host'],
    ['https://acme_1.nonemployee.com', 'invalid_host'],
    ['x'.repeat(3000), 'too_long'],
  ])('refuses %j (%s)', (input, problem) => {
    expect(normalizeTenantUrl(input)).toEqual({ ok: false, problem });
  });
});

describe('defaultTokenUrl', () => {
  const tenant = (input: string) => {
    const result = normalizeTenantUrl(input);
    if (!result.ok) throw new Error(result.problem);
    return result;
  };

  it('points a SailPoint-hosted tenant at its Identity Security Cloud tenant', () => {
    for (const host of [
      'acme',
      'acme.nonemployee.com',
      'acme.mynonemployee.com',
      'acme.seczetta.com',
    ])
      expect(defaultTokenUrl(tenant(host)), host).toBe(
        'https://acme.api.identitynow.com/oauth/token',
      );
  });

  it("points any other tenant at its own origin's /oauth/token", () => {
    expect(defaultTokenUrl(tenant('http://127.0.0.1:4010'))).toBe(
      'http://127.0.0.1:4010/oauth/token',
    );
    expect(defaultTokenUrl(tenant('nerm.example.com'))).toBe(
      'https://nerm.example.com/oauth/token',
    );
    // A look-alike is not a SailPoint host.
    expect(defaultTokenUrl(tenant('acme.nonemployee.com.evil.example'))).toBe(
      'https://acme.nonemployee.com.evil.example/oauth/token',
    );
  });
});
