import type { Quirks, Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectedUsers } from './expected-mapping.ts';
import { startStack, walk, type Stack } from './helpers.ts';

// Whole-tenant walks: slow on a loaded machine, and never a timing check.
vi.setConfig({ testTimeout: 30_000 });

/**
 * The users walk pages by keyset (`after_id`), so each person present for the whole walk
 * is returned exactly once, however the tenant changes meanwhile (docs/decisions).
 */

describe('a walk while the tenant changes', () => {
  let sandbox: Sandbox;
  let stack: Stack;
  let token: string;

  beforeAll(async () => {
    stack = await startStack({ sandbox: { persons: 1_500 } });
    sandbox = stack.sandbox;
    ({ token } = await stack.connectAccount('api_key'));
  });
  afterAll(() => stack.close());

  it('returns every person present throughout exactly once, with 15 deletes and 15 inserts after page 3', async () => {
    const before = new Set(expectedUsers(sandbox).keys());
    const people = [...before];
    const removed = new Set<string>();
    const added = new Set<string>();
    const ids = await walk(stack, token, 'limit=100', (page) => {
      if (page !== 3) return;
      // Spread over the whole tenant: before and after the walk's position.
      for (let i = 0; i < 15; i++) {
        const id = people[i * 97]!;
        sandbox.admin.remove(id);
        removed.add(id);
        const hired = sandbox.admin.hire({
          type: 'Contractor',
          attributes: { first_name: `New${i}`, last_name: 'Hire' },
        });
        added.add(hired.id);
      }
    });
    expect(new Set(ids).size, 'no person twice').toBe(ids.length);
    const seen = new Set(ids);
    const throughout = people.filter((id) => !removed.has(id));
    const missed = throughout.filter((id) => !seen.has(id));
    expect(missed, 'people present throughout, never returned').toEqual([]);
    expect(ids.every((id) => before.has(id) || added.has(id))).toBe(true);
  });
});

describe.each<[string, Quirks]>([
  ['a tenant that ends keyset walks with 400 (before May 2025)', { keysetEndAs400: true }],
  ['a tenant without _metadata', { noMetadata: true }],
  ['a tenant capping limit at 100', { maxLimit: 100 }],
])('%s', (_name, quirks) => {
  let sandbox: Sandbox;
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ sandbox: { persons: 400, quirks } });
    sandbox = stack.sandbox;
  });
  afterAll(() => stack.close());

  it('walks every user exactly once', async () => {
    const { token } = await stack.connectAccount('api_key');
    const ids = await walk(stack, token, 'limit=150');
    expect(ids.length).toBe(new Set(ids).size);
    expect(ids.sort()).toEqual([...expectedUsers(sandbox).keys()].sort());
  });

  it('filters by status in the broker, which keyset mode leaves to it', async () => {
    const { token } = await stack.connectAccount('api_key');
    const ids = await walk(stack, token, 'limit=100&status=deleted');
    const want = [...expectedUsers(sandbox).values()]
      .filter((u) => u.status === 'deleted')
      .map((u) => u.id as string);
    expect(ids.sort()).toEqual(want.sort());
  });
});
