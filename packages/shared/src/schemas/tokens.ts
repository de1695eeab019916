import { z } from 'zod';
import { text } from './text.ts';
import { Timestamp } from './common.ts';

export const ExchangeBody = z
  .strictObject({ public_token: text().min(1).max(512) })
  .meta({ id: 'ExchangeBody' });
export type ExchangeBody = z.input<typeof ExchangeBody>;

export const ExchangeResultSchema = z
  .object({
    integrated_account_id: z.string(),
    integrated_account_token: z.string(),
    expires_at: Timestamp,
  })
  .meta({ id: 'ExchangeResult' });
export type ExchangeResult = z.infer<typeof ExchangeResultSchema>;

export const AccountTokenSchema = z
  .object({
    integrated_account_token: z.string(),
    expires_at: Timestamp,
  })
  .meta({ id: 'AccountToken' });
export type AccountToken = z.infer<typeof AccountTokenSchema>;

/** Audience of every integrated_account_token (docs/security.md, "Tokens"). */
export const TOKEN_AUDIENCE = 'nerm-connect';

/**
 * The claims of an integrated_account_token, as the broker signs them and checks them
 * after the signature: `sub` the integrated account id, `tid` its tenant_id.
 */
export const AccountTokenClaims = z.object({
  iss: z.string(),
  aud: z.union([
    z.literal(TOKEN_AUDIENCE),
    z.array(z.string()).refine((a) => a.includes(TOKEN_AUDIENCE)),
  ]),
  sub: z.string().min(1),
  tid: z.string().min(1),
  jti: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type AccountTokenClaims = z.infer<typeof AccountTokenClaims>;

export const JwksSchema = z
  .object({
    keys: z.array(
      z.object({ kid: z.string(), kty: z.string(), alg: z.string().optional() }).loose(),
    ),
  })
  .meta({ id: 'Jwks' });
