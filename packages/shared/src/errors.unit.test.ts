import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERROR_CODES, ErrorEnvelopeSchema, issuesFromZod, statusForCode } from './errors.ts';

describe('error vocabulary', () => {
  it('holds every contract code with its fixed HTTP status', () => {
    expect(Object.fromEntries(ERROR_CODES.map((c) => [c, statusForCode(c)]))).toMatchObject({
      invalid_request: 400,
      invalid_cursor: 400,
      unauthorized: 401,
      token_expired: 401,
      forbidden: 403,
      not_found: 404,
      link_token_invalid: 401,
      public_token_invalid: 400,
      tenant_url_invalid: 400,
      tenant_host_not_allowed: 400,
      tenant_unreachable: 502,
      not_a_nerm_tenant: 502,
      invalid_credentials: 422,
      insufficient_permissions: 422,
      account_needs_reauth: 409,
      account_disconnected: 410,
      rate_limited: 429,
      upstream_error: 502,
      payload_too_large: 413,
      internal: 500,
    });
  });

  it('validates the envelope and refuses unknown codes', () => {
    expect(
      ErrorEnvelopeSchema.safeParse({ error: { code: 'not_found', message: 'x', request_id: 'r' } })
        .success,
    ).toBe(true);
    expect(
      ErrorEnvelopeSchema.safeParse({ error: { code: 'teapot', message: 'x', request_id: 'r' } })
        .success,
    ).toBe(false);
  });

  it('turns zod issues into data without the submitted values', () => {
    const result = z.object({ secret: z.string().min(50) }).safeParse({ secret: 'hunter2' });
    expect(result.success).toBe(false);
    const issues = issuesFromZod(result.error!);
    expect(issues[0]).toMatchObject({ path: ['secret'], code: 'too_small' });
    expect(JSON.stringify(issues)).not.toContain('hunter2');
  });
});
