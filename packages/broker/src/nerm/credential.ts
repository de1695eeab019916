import { z } from 'zod';

/**
 * What the vault holds for an account: exactly one of the two auth modes
 * (docs/architecture.md, "The connect flow").
 */
export const StoredCredential = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('pat'),
    client_id: z.string(),
    client_secret: z.string(),
    token_url: z.string(),
  }),
  z.object({ type: z.literal('api_key'), api_key: z.string() }),
]);
export type StoredCredential = z.infer<typeof StoredCredential>;
export type PatCredential = Extract<StoredCredential, { type: 'pat' }>;

/** The last four characters of the secret part: enough to recognise, useless to attack. */
export function credentialHint(credential: StoredCredential): string {
  const secret = credential.type === 'pat' ? credential.client_secret : credential.api_key;
  return secret.length > 8 ? secret.slice(-4) : '';
}
