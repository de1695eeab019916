import type { EndpointInput, ENDPOINTS } from '../endpoints.ts';
import type { CreateUserBody, UpdateUserBody } from '../schemas/user.ts';
import type { CallOptions } from './http.ts';

/** At least one of `T`'s fields: `{}` does not compile. */
export type AtLeastOne<T> = {
  [K in keyof T]-?: Required<Pick<T, K>> & Partial<Omit<T, K>>;
}[keyof T];

type UserFields = Omit<CreateUserBody, 'user_type' | 'profile_type_id'>;

/**
 * `users.create`: the user's fields and exactly one of `user_type` (a profile type name,
 * e.g. "Contractor") or `profile_type_id`, as the broker requires.
 */
export type CreateUserInput =
  | (UserFields & { user_type: string; profile_type_id?: never })
  | (UserFields & { profile_type_id: string; user_type?: never });

/** `users.update`: any subset of the writable fields, at least one. */
export type UpdateUserInput = AtLeastOne<UpdateUserBody>;

/**
 * Filters of `users.list`. `limit` is the most users a page holds (1–500, default
 * 100); a page may hold fewer, and only the end of the iteration ends the list.
 * `include_remote_data: true` adds each user's raw NERM profile as `remote_data`.
 */
export type ListUsersParams = Omit<
  NonNullable<EndpointInput<typeof ENDPOINTS.listUsers>['query']>,
  'next_cursor'
>;

/** Options of `roles.list`: `limit` as for users, a maximum per page. */
export type ListRolesParams = Omit<
  NonNullable<EndpointInput<typeof ENDPOINTS.listRoles>['query']>,
  'next_cursor'
>;

/** Per-call options of single reads. */
export interface ReadOptions extends CallOptions {
  /** Also return `remote_data`, the object as NERM sent it (default: left out). */
  include_remote_data?: boolean;
}

/** Per-call options of writes. */
export interface WriteOptions extends CallOptions {
  /** Sent as Idempotency-Key; the SDK makes one per call when omitted, so retries are safe. */
  idempotencyKey?: string;
}
