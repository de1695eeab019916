import { BrokerError } from '../errors.ts';
import { isEmptyListAnswer } from './live-answers.ts';
import { parseJson, type NermClient } from './nerm-client.ts';
import { rateLimited } from './upstream-errors.ts';

/**
 * Proves a credential with one cheap read: the first profile, without attributes.
 * Every way it can go wrong becomes the contract code a user can act on.
 */
export async function probeTenant(client: NermClient): Promise<void> {
  const res = await client.send({
    method: 'GET',
    path: 'profiles',
    query: new URLSearchParams({ limit: '1', exclude_attributes: 'true' }),
    idempotent: true,
  });
  // A tenant without profiles answers its empty list as live NERM does: 400 "no profiles found".
  if (isEmptyListAnswer(res)) return;
  if (res.status === 200) {
    const body = parseJson(res) as { profiles?: unknown } | undefined;
    if (body && Array.isArray(body.profiles)) return;
    throw new BrokerError('not_a_nerm_tenant', 'The host answered, but not like a NERM tenant API');
  }
  if (res.status === 403) {
    throw new BrokerError(
      'insufficient_permissions',
      'NERM accepted the credential but refused to list profiles; it must belong to a NERM Admin',
    );
  }
  if (res.status === 429) throw rateLimited(res.headers);
  if (res.status >= 500)
    throw new BrokerError('upstream_error', `NERM failed with HTTP ${res.status}`);
  throw new BrokerError(
    'not_a_nerm_tenant',
    `The host answered HTTP ${res.status} where a NERM tenant API should be`,
  );
}
