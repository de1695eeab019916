import { randomBytes } from 'node:crypto';
import type { Account, EventType, EventUser, LifecycleEvent } from '@nerm-connect/shared';
import type { UserChange } from './changes.ts';

/**
 * An event on its way into the outbox. `body` is the exact JSON every delivery attempt
 * sends (and signs), written once in the transaction that caused the event.
 */
export interface NewEvent {
  id: string;
  account_id: string;
  type: EventType;
  created_at: number;
  body: string;
}

export interface EventAccount {
  id: string;
  tenant_id: string;
}

/** `evt_` + 128 random bits: unique across replicas without coordination. */
export function newEventId(): string {
  return `evt_${randomBytes(16).toString('base64url')}`;
}

function build(
  account: EventAccount,
  type: EventType,
  data: LifecycleEvent['data'],
  now: number,
): NewEvent {
  const id = newEventId();
  const created_at = new Date(now).toISOString();
  const event = {
    id,
    type,
    created_at,
    integrated_account_id: account.id,
    tenant_id: account.tenant_id,
    data,
  };
  return { id, account_id: account.id, type, created_at: now, body: JSON.stringify(event) };
}

export function userChangeEvent(account: EventAccount, change: UserChange, now: number): NewEvent {
  const data = change.previous
    ? { user: change.user, previous: change.previous }
    : { user: change.user };
  return build(account, change.type, data as LifecycleEvent['data'], now);
}

export function contractEndingEvent(
  account: EventAccount,
  user: EventUser,
  daysLeft: number,
  now: number,
): NewEvent {
  return build(account, 'user.contract_ending', { user, days_left: daysLeft }, now);
}

export type AccountEventType = Extract<EventType, `integrated_account.${string}`>;

export function accountEvent(type: AccountEventType, account: Account, now: number): NewEvent {
  return build(account, type, { integrated_account: account }, now);
}
