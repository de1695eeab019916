/**
 * What Shiftboard does with NERM's lifecycle events: each verified webhook becomes a line
 * in the activity feed, and a person NERM deactivates or removes loses their Shiftboard
 * access at once (a real SaaS would end their sessions and seats here). Kept in memory and
 * rebuilt after a restart from the broker's GET /events, the record (restore).
 */
import type { EventUser, FeedEvent, LifecycleEvent } from '@nerm-connect/shared';

export type EntryKind = 'nerm_admin' | 'event' | 'refused';

export interface ActivityEntry {
  /** Increasing: the page asks for what came after the last one it has. */
  seq: number;
  kind: EntryKind;
  at: string;
  /** One sentence, for the feed. */
  text: string;
  /** The event type (`user.deactivated`…); for refused deliveries, why. */
  code: string;
  /** The webhook id, for an event. */
  eventId?: string;
  userId?: string;
  /** What Shiftboard did about it. */
  access?: 'revoked' | 'granted';
}

/** Whether NERM's changes reach Shiftboard yet: after the first look at the tenant. */
export type Watching = 'off' | 'starting' | 'live';

const MAX_ENTRIES = 100;

export function nameOf(user: Pick<EventUser, 'name' | 'first_name' | 'last_name'>): string {
  return user.name ?? ([user.first_name, user.last_name].filter(Boolean).join(' ') || 'Someone');
}

export class ActivityLog {
  private entries: ActivityEntry[] = [];
  private seq = 0;
  private readonly seen = new Set<string>();
  /** People whose Shiftboard access NERM ended: user id → when. */
  readonly revoked = new Map<string, string>();
  watching: Watching = 'off';

  constructor(private readonly now: () => number = Date.now) {}

  add(entry: Omit<ActivityEntry, 'seq' | 'at'>, at = new Date(this.now()).toISOString()) {
    const full: ActivityEntry = { ...entry, seq: ++this.seq, at };
    this.entries.push(full);
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
    return full;
  }

  /**
   * After a restart: the events the broker delivered to this receiver for the account,
   * from its feed (GET /events, oldest first), as they were received; at their own time.
   */
  async restore(feed: AsyncIterable<FeedEvent>, tenantId: string): Promise<number> {
    let restored = 0;
    for await (const event of feed) {
      if (event.delivery.status !== 'delivered' || event.tenant_id !== tenantId) continue;
      if (this.receive(event, event.delivery.delivered_at ?? event.created_at)) restored++;
    }
    return restored;
  }

  /** A verified event, once per id (deliveries are retried with the same id). */
  receive(event: LifecycleEvent, at?: string): ActivityEntry | undefined {
    if (this.seen.has(event.id)) return undefined;
    this.seen.add(event.id);
    const add = (entry: Omit<ActivityEntry, 'seq' | 'at'>) => this.add(entry, at);
    const base = { kind: 'event' as const, code: event.type, eventId: event.id };
    switch (event.type) {
      case 'user.deactivated':
      case 'user.removed': {
        const user = event.data.user;
        this.revoked.set(user.id, at ?? new Date(this.now()).toISOString());
        const how =
          event.type === 'user.removed'
            ? 'was removed from NERM'
            : user.status === 'deleted'
              ? 'was terminated in NERM'
              : 'is no longer active in NERM';
        return add({
          ...base,
          userId: user.id,
          access: 'revoked',
          text: `${nameOf(user)} ${how}. Shiftboard revoked their access.`,
        });
      }
      case 'user.created':
      case 'user.reactivated': {
        const user = event.data.user;
        this.revoked.delete(user.id);
        const how = event.type === 'user.created' ? 'joined NERM' : 'is active again in NERM';
        return add({
          ...base,
          userId: user.id,
          access: 'granted',
          text: `${nameOf(user)} ${how}${user.user_type ? ` (${user.user_type})` : ''}. Shiftboard gave them access.`,
        });
      }
      case 'user.updated':
        return add({
          ...base,
          userId: event.data.user.id,
          text: `${nameOf(event.data.user)} changed in NERM (${Object.keys(event.data.previous).join(', ')}).`,
        });
      case 'user.contract_ending':
        return add({
          ...base,
          userId: event.data.user.id,
          text: `${nameOf(event.data.user)}'s engagement ends in ${event.data.days_left} days.`,
        });
      default:
        return add({
          ...base,
          text: `NERM ${event.type.slice('integrated_account.'.length).replace('_', ' ')}: ${event.data.integrated_account.tenant_host}.`,
        });
    }
  }

  /** Entries after `seq`, oldest first. */
  since(seq: number): ActivityEntry[] {
    return this.entries.filter((e) => e.seq > seq);
  }

  /** A new connection starts with a clean slate. */
  reset(): void {
    this.revoked.clear();
    this.watching = 'off';
  }
}
