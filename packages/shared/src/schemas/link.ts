import { z } from 'zod';
import { text } from './text.ts';
import { AccountSummarySchema } from './account.ts';
import { credentialCharProblem } from '../credential-chars.ts';
import { Timestamp } from './common.ts';

export const TenantId = text().trim().min(1).max(256);

/** How long a link token lives by default, and at most (a hosted link sent by email). */
export const LINK_TOKEN_DEFAULT_SECONDS = 30 * 60;
export const LINK_TOKEN_MAX_SECONDS = 7 * 24 * 3600;

export const CreateLinkTokenBody = z
  .strictObject({
    tenant_id: TenantId,
    /** Re-authenticate this account in place (same id) instead of creating one. */
    integrated_account_id: text().min(1).max(64).nullish(),
    /** Also return `hosted_url`: a broker-served connect page for someone who has only that URL. */
    hosted: z.boolean().optional(),
    /** Lifetime in seconds (60 to 604800, 7 days); default 1800 (30 minutes). */
    expires_in: z.number().int().min(60).max(LINK_TOKEN_MAX_SECONDS).optional(),
  })
  .meta({ id: 'CreateLinkTokenBody' });
export type CreateLinkTokenBody = z.input<typeof CreateLinkTokenBody>;

export const LinkTokenSchema = z
  .object({
    link_token: z.string(),
    expires_at: Timestamp,
    /** With `hosted: true`: the connect page to send, the link token in its fragment. */
    hosted_url: z.url().optional(),
  })
  .meta({ id: 'LinkToken' });
export type LinkToken = z.infer<typeof LinkTokenSchema>;

/**
 * A credential field: trimmed, and refused when a character could not travel in the
 * `Authorization` header (docs/security.md, "Findings and fixes", finding 1).
 */
function credentialField(max: number) {
  return z
    .string()
    .trim()
    .min(1, 'required')
    .max(max)
    .superRefine((value, ctx) => {
      const problem = credentialCharProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.message });
    });
}

const Secret = credentialField(1024);

export const PatAuth = z.strictObject({
  type: z.literal('pat'),
  client_id: credentialField(256),
  client_secret: Secret,
  /** Optional; empty or null means the default (`defaultTokenUrl`: ISC for SailPoint hosts, else the tenant's own). */
  token_url: text()
    .trim()
    .max(2048)
    .nullish()
    .transform((v) => (v ? v : undefined)),
});
export const ApiKeyAuth = z.strictObject({ type: z.literal('api_key'), api_key: Secret });
export const ConnectAuth = z.discriminatedUnion('type', [PatAuth, ApiKeyAuth]);
export type ConnectAuth = z.infer<typeof ConnectAuth>;

export const ConnectBody = z
  .strictObject({
    // Emptiness and shape are the broker's call (tenant_url_invalid), not a schema issue.
    tenant_url: z.string().max(2048),
    auth: ConnectAuth,
  })
  .meta({ id: 'ConnectBody' });
export type ConnectBody = z.input<typeof ConnectBody>;

export const ConnectResultSchema = z
  .object({
    public_token: z.string(),
    expires_at: Timestamp,
    integrated_account: AccountSummarySchema,
  })
  .meta({ id: 'ConnectResult' });
export type ConnectResult = z.infer<typeof ConnectResultSchema>;

/** `GET /link/session`: what the widget may know about its link token. */
export const LinkSessionSchema = z
  .object({
    tenant_id: z.string(),
    expires_at: Timestamp,
    /** Set for a re-authentication link: the account being repaired. */
    integrated_account: AccountSummarySchema.nullable(),
    /** Its tenant's origin, scheme included (`https://acme.nonemployee.com`), for the form. */
    tenant_url: z.string().nullable(),
  })
  .meta({ id: 'LinkSession' });
export type LinkSession = z.infer<typeof LinkSessionSchema>;
