import { describe, expect, it } from 'vitest';
import { fullJitter, parseRetryAfter, retrying, type Outcome } from './retry.ts';

const NOW = Date.parse('2030-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates as milliseconds from now', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:30 GMT', NOW)).toBe(30_000);
  });

  it('clamps a date in the past to 0', () => {
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:59:00 GMT', NOW)).toBe(0);
  });

  it('answers undefined for what is not a delay', () => {
    for (const value of [undefined, null, '', '  ', '-5', '1.5', 'soon', '0x10'])
      expect(parseRetryAfter(value, NOW), String(value)).toBeUndefined();
  });
});

describe('fullJitter', () => {
  it('draws between 0 and base × 2^attempt, capped', () => {
    expect(fullJitter(200, 5_000, 0, () => 0.999)).toBe(200);
    expect(fullJitter(200, 5_000, 3, () => 0.5)).toBe(800);
    expect(fullJitter(200, 5_000, 10, () => 1)).toBe(5_000);
    expect(fullJitter(200, 5_000, 2, () => 0)).toBe(0);
  });
});

/** An attempt function that plays the given outcomes in order. */
function script<T>(...outcomes: Outcome<T>[]) {
  const attempts: number[] = [];
  const run = async (attempt: number): Promise<T> => {
    attempts.push(attempt);
    const outcome = outcomes[Math.min(attempt, outcomes.length - 1)]!;
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  };
  return { run, attempts };
}

const recordSleeps = () => {
  const slept: number[] = [];
  return { slept, sleep: async (ms: number) => void slept.push(ms) };
};

describe('retrying', () => {
  it('tries again while told to, waiting what it is told, and returns the first outcome that stands', async () => {
    const { run, attempts } = script<number>(
      { ok: true, value: 503 },
      { ok: false, error: new Error('reset') },
      { ok: true, value: 200 },
    );
    const { slept, sleep } = recordSleeps();
    const result = await retrying(run, {
      retries: 5,
      sleep,
      retryAfter: (o, attempt) =>
        o.ok ? (o.value === 503 ? 1_000 : undefined) : 10 * (attempt + 1),
    });
    expect(result).toBe(200);
    expect(attempts).toEqual([0, 1, 2]);
    expect(slept).toEqual([1_000, 20]);
  });

  it('returns the last value once the retries are spent', async () => {
    const { run, attempts } = script<number>({ ok: true, value: 503 });
    const { sleep } = recordSleeps();
    expect(await retrying(run, { retries: 2, sleep, retryAfter: () => 0 })).toBe(503);
    expect(attempts).toEqual([0, 1, 2]);
  });

  it('throws the last error once the retries are spent, and at once when it is not retryable', async () => {
    const down = new Error('down');
    const spent = script<number>({ ok: false, error: down });
    const { sleep } = recordSleeps();
    await expect(retrying(spent.run, { retries: 1, sleep, retryAfter: () => 0 })).rejects.toBe(
      down,
    );
    expect(spent.attempts).toEqual([0, 1]);

    const fatal = script<number>({ ok: false, error: new TypeError('bug') });
    await expect(
      retrying(fatal.run, { retries: 3, sleep, retryAfter: () => undefined }),
    ).rejects.toThrow('bug');
    expect(fatal.attempts).toEqual([0]);
  });

  it('does not retry when the wait would end at or after the deadline', async () => {
    const { run, attempts } = script<number>({ ok: true, value: 429 });
    const { slept, sleep } = recordSleeps();
    const result = await retrying(run, {
      retries: 5,
      sleep,
      now: () => NOW,
      deadline: NOW + 1_000,
      retryAfter: (_o, attempt) => (attempt === 0 ? 999 : 1_000),
    });
    expect(result).toBe(429);
    expect(attempts).toEqual([0, 1]);
    expect(slept).toEqual([999]);
  });

  it('calls onRetry before each wait with the outcome it drops', async () => {
    const { run } = script<number>({ ok: true, value: 1 }, { ok: true, value: 2 });
    const { sleep } = recordSleeps();
    const dropped: unknown[] = [];
    await retrying(run, {
      retries: 3,
      sleep,
      retryAfter: (o) => (o.ok && o.value === 1 ? 5 : undefined),
      onRetry: (o, waitMs, attempt) => void dropped.push([o, waitMs, attempt]),
    });
    expect(dropped).toEqual([[{ ok: true, value: 1 }, 5, 0]]);
  });

  it('ends with the reason of a signal that aborted before the wait, trying no more', async () => {
    const controller = new AbortController();
    const { run, attempts } = script<number>({ ok: true, value: 503 });
    const pending = retrying(run, {
      retries: 5,
      signal: controller.signal,
      retryAfter: () => {
        controller.abort(new Error('stop'));
        return 0;
      },
    });
    await expect(pending).rejects.toThrow('stop');
    expect(attempts).toEqual([0]);
  });

  it('waits with a real timer by default, which the signal ends early', async () => {
    const controller = new AbortController();
    const { run } = script<number>({ ok: true, value: 503 });
    const pending = retrying(run, {
      retries: 1,
      signal: controller.signal,
      retryAfter: () => 60_000,
      // Aborted once the minute-long wait has begun.
      onRetry: () => void setTimeout(() => controller.abort(new Error('stop')), 0),
    });
    await expect(pending).rejects.toThrow('stop');
  });
});
