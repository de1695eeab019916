import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@nerm-connect/shared';
import { aUser } from '@nerm-connect/shared/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../src/lifecycle/delivery-worker.ts';
import { newEventId, type NewEvent } from '../src/lifecycle/events.ts';
import { WebhookSender } from '../src/lifecycle/webhook-sender.ts';
import { createLogger } from '../src/logger.ts';
import { HostAllowList } from '../src/nerm/host-allow-list.ts';
import { Outbound } from '../src/nerm/outbound.ts';
import { LogCapture } from './helpers.ts';
import { LIFECYCLE_ENGINES, type LifecycleScratch } from './lifecycle-engines.ts';
import { until as waitUntil } from './waiting.ts';

const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const SCHEDULE = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** A receiver that verifies like a customer's would, and can be taken down. */
class Receiver {
  server!: Server;
  url!: string;
  up = true;
  /** While set, requests wait here (unanswered) until `release()`. */
  hold = false;
  readonly held: (() => void)[] = [];
  /** Ids in arrival order, per account, every attempt that reached a working receiver. */
  readonly received: { id: string; account: string }[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.hold) return void this.held.push(() => this.answer(chunks, req, res));
        this.answer(chunks, req, res);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  release(): void {
    this.hold = false;
    for (const answer of this.held.splice(0)) answer();
  }

  private answer(chunks: Buffer[], req: IncomingMessage, res: ServerResponse): void {
    if (!this.up) return void res.writeHead(503).end();
    try {
      const event = verifyWebhook(Buffer.concat(chunks), req.headers, SECRET);
      this.received.push({ id: event.id, account: event.integrated_account_id });
      res.writeHead(204).end();
    } catch {
      res.writeHead(400).end();
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

const until = (check: () => boolean | Promise<boolean>) =>
  waitUntil(check, 'the worker', { tries: 600 });

function event(accountId: string, at: number): NewEvent {
  const id = newEventId();
  const body = JSON.stringify({
    id,
    type: 'user.removed',
    created_at: new Date(at).toISOString(),
    integrated_account_id: accountId,
    tenant_id: 't',
    data: { user: aUser({ id: 'p' }) },
  });
  return { id, account_id: accountId, type: 'user.removed', created_at: at, body };
}

describe.each(LIFECYCLE_ENGINES)('webhook delivery ($name)', ({ name, scratch }) => {
  let db: LifecycleScratch;
  const receiver = new Receiver();
  let clock = Date.now();

  function worker(owner: string, leaseMs?: number): DeliveryWorker {
    const outbound = new Outbound({
      allowList: HostAllowList.parse(receiver.url),
      requestTimeoutMs: 5_000,
    });
    return new DeliveryWorker({
      store: db.lifecycle,
      sender: new WebhookSender({
        url: new URL(`${receiver.url}/hook`),
        secret: SECRET,
        outbound,
      }),
      owner,
      now: () => clock,
      logger: createLogger({ level: 'silent', destination: new LogCapture() }),
      schedule: SCHEDULE,
      ...(leaseMs ? { leaseMs } : {}),
    });
  }

  beforeAll(async () => {
    await receiver.start();
    db = await scratch();
  });
  afterAll(async () => {
    await db.close();
    await receiver.stop();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.up = true;
    receiver.release();
  });

  it('delivers every event, each account in order, after the receiver was down for hours', async () => {
    const accounts = await Promise.all([1, 2, 3].map(() => db.addAccount(randomUUID(), 'active')));
    const written: Record<string, string[]> = {};
    for (let round = 0; round < 4; round++)
      for (const a of accounts) {
        const e = event(a, clock);
        (written[a] ??= []).push(e.id);
        await db.lifecycle.insertEvents([e], true);
      }
    receiver.up = false;
    const w = worker('w1');
    // Down for 3 hours: the heads of each account are retried on the schedule, nothing else.
    for (const step of [0, 5_000, 300_000, 1_800_000, 7_200_000]) {
      clock += step;
      await w.drain();
    }
    const feed = await db.lifecycle.listEvents({ accountId: accounts[0]!, limit: 10 });
    expect(feed[0]).toMatchObject({
      status: 'pending',
      attempts: 5,
      failures: 5,
      last_error: 'HTTP 503',
    });
    expect(feed.slice(1).every((e) => e.attempts === 0)).toBe(true);

    receiver.up = true;
    clock += 18_000_000;
    await w.drain();
    for (const a of accounts)
      expect(receiver.received.filter((r) => r.account === a).map((r) => r.id)).toEqual(written[a]);
    const settled = await db.lifecycle.listEvents({ accountId: accounts[1]!, limit: 10 });
    expect(settled.map((e) => e.status)).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'delivered',
    ]);
  });

  it('gives up after the last scheduled attempt, keeps the error, and moves on to the next event', async () => {
    const a = await db.addAccount(randomUUID(), 'active');
    const [first, second] = [event(a, clock), event(a, clock)];
    await db.lifecycle.insertEvents([first, second], true);
    receiver.up = false;
    const w = worker('w1');
    for (const step of SCHEDULE) {
      clock += step;
      await w.drain();
    }
    const [failed, next] = await db.lifecycle.listEvents({ accountId: a, limit: 10 });
    expect(failed).toMatchObject({
      id: first.id,
      status: 'failed',
      attempts: SCHEDULE.length,
      next_attempt_at: null,
    });
    expect(next).toMatchObject({ id: second.id, status: 'pending', attempts: 1 });
    receiver.up = true;
    clock += SCHEDULE[1]!;
    await w.drain();
    expect(receiver.received.map((r) => r.id)).toEqual([second.id]);
  });

  it('keeps the lease of an attempt that outlasts it, so no other worker sends the event meanwhile', async () => {
    const a = await db.addAccount(randomUUID(), 'active');
    const e = event(a, clock);
    await db.lifecycle.insertEvents([e], true);
    receiver.hold = true;
    const w1 = worker('w1', 1_000);
    const attempt = w1.drain();
    await until(() => receiver.held.length === 1);
    clock += 10_000; // the lease taken at the claim has run out by this clock
    const leaseOf = async () =>
      Number(
        (await db.rows(`SELECT lease_until FROM lifecycle_events WHERE id = '${e.id}'`))[0]!
          .lease_until,
      );
    await until(async () => (await leaseOf()) > clock);
    expect(await worker('w2', 1_000).drain()).toBe(0);
    receiver.release();
    expect(await attempt).toBe(1);
    expect(receiver.received.map((r) => r.id)).toEqual([e.id]);
    expect((await db.lifecycle.listEvents({ accountId: a, limit: 10 }))[0]).toMatchObject({
      status: 'delivered',
      attempts: 1,
    });
  });

  it.runIf(name === 'postgres')(
    'two workers on one database deliver each event once, in order per account',
    async () => {
      const accounts = await Promise.all(
        Array.from({ length: 8 }, () => db.addAccount(randomUUID(), 'active')),
      );
      const written: Record<string, string[]> = {};
      for (let round = 0; round < 5; round++)
        for (const a of accounts) {
          const e = event(a, clock);
          (written[a] ??= []).push(e.id);
          await db.lifecycle.insertEvents([e], true);
        }
      const [one, two] = [worker('replica-1'), worker('replica-2')];
      await Promise.all([one.drain(), two.drain(), one.drain(), two.drain()]);
      const ids = receiver.received.map((r) => r.id);
      expect(ids).toHaveLength(40);
      expect(new Set(ids).size).toBe(40);
      for (const a of accounts)
        expect(receiver.received.filter((r) => r.account === a).map((r) => r.id)).toEqual(
          written[a],
        );
    },
  );
});
