import type { Sandbox } from '@nerm-connect/nerm-sandbox';

type Check<T> = () => T | undefined | false | Promise<T | undefined | false>;

/**
 * Polls until `check` holds and returns what it held with (the broker delivers and syncs
 * on its own timers); a guard against hanging, never a timing under test.
 */
export async function until<T>(
  check: Check<T>,
  what = 'the condition',
  { tries = 3_000, stepMs = 20 }: { tries?: number; stepMs?: number } = {},
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * The sandbox's active, unarchived people of a worker type (employee or non-employee):
 * those a sync turns into users whose termination is a `user.deactivated` event.
 */
export function activeWorkers(
  sandbox: Sandbox,
  profiles: Sandbox['data']['profiles'] = sandbox.data.profiles,
): Sandbox['data']['profiles'] {
  const types = new Map(sandbox.data.profileTypes.map((t) => [t.id, t.category]));
  return profiles.filter(
    (p) =>
      !p.archived &&
      p.status === 'Active' &&
      ['employee', 'non-employee'].includes(types.get(p.profile_type_id)!),
  );
}

/** A sync's answer when nothing changed: a baseline's, or a sync with no news. */
export const NO_CHANGES = { created: 0, updated: 0, deactivated: 0, reactivated: 0, removed: 0 };
