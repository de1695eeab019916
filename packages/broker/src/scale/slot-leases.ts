/**
 * A counting semaphore whose permits are leases: each slot taken expires by itself after
 * `ttlMs`, so a replica killed while holding slots gives them back without anyone's help.
 */
export interface SlotLeases {
  /** Takes one of `limit` slots of `key` until `ttlMs` from now; undefined when all are taken. */
  tryAcquire(key: string, limit: number, ttlMs: number): Promise<SlotLease | undefined>;
  /** Slots of `key` held right now (expired ones not counted). */
  inUse(key: string): Promise<number>;
}

export interface SlotLease {
  release(): Promise<void>;
}

/** One process's slots (SQLite runs a single broker process). */
export class MemorySlots implements SlotLeases {
  private readonly held = new Map<string, Map<number, number>>();
  private next = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async tryAcquire(key: string, limit: number, ttlMs: number): Promise<SlotLease | undefined> {
    const leases = this.live(key);
    if (leases.size >= limit) return undefined;
    const id = this.next++;
    leases.set(id, this.now() + ttlMs);
    this.held.set(key, leases);
    return {
      release: async () => {
        leases.delete(id);
        if (leases.size === 0 && this.held.get(key) === leases) this.held.delete(key);
      },
    };
  }

  async inUse(key: string): Promise<number> {
    return this.live(key).size;
  }

  private live(key: string): Map<number, number> {
    const leases = this.held.get(key) ?? new Map<number, number>();
    const now = this.now();
    for (const [id, until] of leases) if (until <= now) leases.delete(id);
    return leases;
  }
}
