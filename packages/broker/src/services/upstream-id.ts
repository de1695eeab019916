import { BrokerError } from '../errors.ts';

const UPSTREAM_ID = /^[A-Za-z0-9_:@-][A-Za-z0-9._:@-]{0,255}$/;

/** Ids go into an upstream path: only NERM id/uid characters, never `.` or `..`. */
export function upstreamId(id: string): string {
  if (!UPSTREAM_ID.test(id)) throw new BrokerError('not_found', 'No object with this id');
  return encodeURIComponent(id);
}
