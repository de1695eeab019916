import { aUser } from '@nerm-connect/shared/testing';
import { describe, expect, it } from 'vitest';
import {
  classifyChange,
  contractEndingDue,
  daysBetween,
  digestOf,
  eventUser,
  windowEnd,
} from './changes.ts';

const badge = { id: 'r1', name: 'Badge' };
const vpn = { id: 'r2', name: 'VPN' };
// Ada Lovelace, active; the tests below assert on these overrides and on her name.
const ada = aUser({
  title: 'Analyst',
  roles: [badge, vpn],
  end_date: '2025-12-31',
  updated_at: '2025-01-01T00:00:00Z',
});

describe('classifyChange', () => {
  it('says nothing when no tracked field changed, even if updated_at moved', () => {
    expect(classifyChange(ada, { ...ada, updated_at: '2025-06-01T00:00:00Z' })).toBeNull();
    expect(digestOf(ada)).toBe(digestOf({ ...ada, updated_at: 'later' }));
  });

  it('calls a new person created and a vanished one removed (with the last known user)', () => {
    expect(classifyChange(undefined, ada)).toEqual({ type: 'user.created', user: ada });
    expect(classifyChange(ada, undefined)).toEqual({ type: 'user.removed', user: ada });
    expect(classifyChange(undefined, undefined)).toBeNull();
  });

  it('calls active → inactive or deleted a deactivation, with the old status', () => {
    for (const status of ['inactive', 'deleted'] as const) {
      expect(classifyChange(ada, { ...ada, status })).toEqual({
        type: 'user.deactivated',
        user: { ...ada, status },
        previous: { status: 'active' },
      });
    }
  });

  it('calls a return to active a reactivation', () => {
    const gone = { ...ada, status: 'deleted' as const };
    expect(classifyChange(gone, ada)).toMatchObject({
      type: 'user.reactivated',
      previous: { status: 'deleted' },
    });
  });

  it('calls inactive → deleted an update: the status stays on the same side of active', () => {
    const inactive = { ...ada, status: 'inactive' as const };
    expect(classifyChange(inactive, { ...ada, status: 'deleted' })).toMatchObject({
      type: 'user.updated',
      previous: { status: 'inactive' },
    });
  });

  it('lists exactly the changed fields with their old values', () => {
    const renamed = {
      ...ada,
      name: 'Ada King',
      last_name: 'King',
      roles: [badge],
    };
    expect(classifyChange(ada, renamed)).toEqual({
      type: 'user.updated',
      user: renamed,
      previous: { name: 'Ada Lovelace', last_name: 'Lovelace', roles: ada.roles },
    });
  });

  it('keeps one event for a status change that comes with other changes', () => {
    const change = classifyChange(ada, { ...ada, status: 'deleted', title: null });
    expect(change?.type).toBe('user.deactivated');
    expect(change?.previous).toEqual({ status: 'active', title: 'Analyst' });
  });

  it('treats a null that became a value (and back) as a change', () => {
    expect(classifyChange({ ...ada, end_date: null }, ada)?.previous).toEqual({ end_date: null });
    expect(classifyChange(ada, { ...ada, end_date: null })?.previous).toEqual({
      end_date: '2025-12-31',
    });
  });
});

describe('eventUser', () => {
  it('drops remote_data and orders roles so their order never reads as a change', () => {
    const raw = {
      ...ada,
      roles: [...ada.roles].reverse(),
      remote_data: { id: 'p1', attributes: { ssn: 'x' } },
    };
    const user = eventUser(raw);
    expect(user).not.toHaveProperty('remote_data');
    expect(user.roles.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(digestOf(user)).toBe(digestOf(ada));
  });
});

describe('contractEndingDue', () => {
  const today = '2025-12-20';

  it('gives the days left when the end date is inside the window, today and the last day included', () => {
    expect(contractEndingDue(ada, null, today, 14)).toBe(11);
    expect(contractEndingDue({ ...ada, end_date: today }, null, today, 14)).toBe(0);
    expect(contractEndingDue({ ...ada, end_date: '2026-01-03' }, null, today, 14)).toBe(14);
  });

  it('says nothing outside the window, for a past date, or without an end date', () => {
    expect(contractEndingDue({ ...ada, end_date: '2026-01-04' }, null, today, 14)).toBeNull();
    expect(contractEndingDue({ ...ada, end_date: '2025-12-19' }, null, today, 14)).toBeNull();
    expect(contractEndingDue({ ...ada, end_date: null }, null, today, 14)).toBeNull();
  });

  it('warns once per end date: again only when the date moves', () => {
    expect(contractEndingDue(ada, '2025-12-31', today, 14)).toBeNull();
    expect(contractEndingDue({ ...ada, end_date: '2025-12-28' }, '2025-12-31', today, 14)).toBe(8);
  });

  it('does not warn about someone no longer active', () => {
    expect(contractEndingDue({ ...ada, status: 'inactive' }, null, today, 14)).toBeNull();
  });

  it('counts calendar days across month, year and leap-day boundaries', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2025-12-31', '2026-01-01')).toBe(1);
    expect(windowEnd('2024-02-20', 14)).toBe('2024-03-05');
  });
});
