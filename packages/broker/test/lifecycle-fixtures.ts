import { randomUUID } from 'node:crypto';
import type { AccountStatus, EventUser } from '@nerm-connect/shared';
import { aUser } from '@nerm-connect/shared/testing';
import { afterAll, beforeAll } from 'vitest';
import { digestOf } from '../src/lifecycle/changes.ts';
import { newEventId, type NewEvent } from '../src/lifecycle/events.ts';
import type { LifecycleStore, PersonSnapshot } from '../src/lifecycle/lifecycle-store.ts';
import type { LifecycleScratch } from './lifecycle-engines.ts';

// What the lifecycle store contract suites (lifecycle-store, lifecycle-outbox) share.

export const NOW = 1_800_000_000_000;
export const LEASE = 60_000;

/** The shared test user under another person id. */
export function user(id: string, overrides: Partial<EventUser> = {}): EventUser {
  return aUser({ id, ...overrides });
}

export function snapshot(u: EventUser, warned: string | null = null): PersonSnapshot {
  return { person_id: u.id, digest: digestOf(u), user: u, warned_end_date: warned };
}

export function event(accountId: string, at = NOW): NewEvent {
  const id = newEventId();
  return {
    id,
    account_id: accountId,
    type: 'user.created',
    created_at: at,
    body: `{"id":"${id}"}`,
  };
}

/** A fresh scratch database of one engine for a describe block: its stores once open. */
export function useLifecycleScratch(scratch: () => Promise<LifecycleScratch>) {
  const suite = {
    db: undefined as unknown as LifecycleScratch,
    get store(): LifecycleStore {
      return suite.db.lifecycle;
    },
    /** A stored account of this status, by a fresh id. */
    account: (status: AccountStatus = 'active') => suite.db.addAccount(randomUUID(), status),
  };
  beforeAll(async () => {
    suite.db = await scratch();
  });
  afterAll(async () => {
    await suite.db.close();
  });
  return suite;
}
