import { createHash } from 'node:crypto';
import type { EventUser, PreviousFields, User } from '@nerm-connect/shared';

/**
 * The unified fields whose change is a `user.*` event. `created_at` and `updated_at`
 * are left out: NERM moves `updated_at` for attributes the unified model does not map,
 * and an event whose only news is a timestamp tells a receiver nothing it can act on
 * (docs/decisions/0050-lifecycle-change-detection.md).
 */
export const TRACKED_FIELDS = [
  'external_id',
  'name',
  'first_name',
  'last_name',
  'emails',
  'title',
  'status',
  'user_type',
  'roles',
  'start_date',
  'end_date',
] as const satisfies readonly (keyof EventUser)[];

export type UserChangeType =
  'user.created' | 'user.updated' | 'user.deactivated' | 'user.reactivated' | 'user.removed';

export interface UserChange {
  type: UserChangeType;
  /** The user after the change; for `user.removed`, the last one known. */
  user: EventUser;
  /** Old values of the changed fields; absent for created and removed. */
  previous?: PreviousFields;
}

/** A User as events carry it: no `remote_data`, roles in id order so order never reads as change. */
export function eventUser(user: User | EventUser): EventUser {
  const { remote_data: _raw, ...rest } = user as User;
  return {
    ...rest,
    roles: [...rest.roles].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

/** A stable digest of the tracked fields: equal digests mean no event. */
export function digestOf(user: EventUser): string {
  const tracked = TRACKED_FIELDS.map((field) => user[field]);
  return createHash('sha256').update(JSON.stringify(tracked)).digest('base64url').slice(0, 32);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The tracked fields that differ, with their old values. */
export function changedFields(before: EventUser, after: EventUser): PreviousFields {
  const previous: Record<string, unknown> = {};
  for (const field of TRACKED_FIELDS) {
    if (!sameValue(before[field], after[field])) previous[field] = before[field];
  }
  return previous as PreviousFields;
}

/**
 * What one person's move from `before` to `after` means: exactly one of
 * created/updated/deactivated/reactivated/removed, or null when nothing tracked changed.
 * Either side undefined means the person was not (or is no longer) in the directory.
 */
export function classifyChange(
  before: EventUser | undefined,
  after: EventUser | undefined,
): UserChange | null {
  if (!before && !after) return null;
  if (!before) return { type: 'user.created', user: after as EventUser };
  if (!after) return { type: 'user.removed', user: before };
  const previous = changedFields(before, after);
  if (Object.keys(previous).length === 0) return null;
  const wasActive = before.status === 'active';
  const isActive = after.status === 'active';
  const type =
    wasActive && !isActive
      ? 'user.deactivated'
      : !wasActive && isActive
        ? 'user.reactivated'
        : 'user.updated';
  return { type, user: after, previous };
}

const DAY_MS = 86_400_000;

/** `yyyy-mm-dd` of an epoch-ms instant, in UTC. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Whole days from `today` to `date` (both `yyyy-mm-dd`); negative when past. */
export function daysBetween(today: string, date: string): number {
  return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS);
}

/**
 * Days left when `user.contract_ending` is due for this person now, else null: an active
 * person whose end date lies within `windowDays` from today (today included) and who
 * has not yet been warned about this very end date. A moved end date warns again.
 */
export function contractEndingDue(
  user: Pick<EventUser, 'status' | 'end_date'>,
  warnedFor: string | null,
  today: string,
  windowDays: number,
): number | null {
  if (user.status !== 'active' || user.end_date === null) return null;
  if (warnedFor === user.end_date) return null;
  const left = daysBetween(today, user.end_date);
  return left >= 0 && left <= windowDays ? left : null;
}

/** The last end date a window of `windowDays` from `today` reaches (for store queries). */
export function windowEnd(today: string, windowDays: number): string {
  return isoDay(Date.parse(`${today}T00:00:00Z`) + windowDays * DAY_MS);
}
