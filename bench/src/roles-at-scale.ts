/**
 * `pnpm bench` section 6: a 100,000-person tenant answering every NERM request after
 * 300 ms (the sandbox's injected latency). The first users page and the page after it,
 * timed against one direct NERM request, with the upstream requests each cost.
 */
import { PATHS } from '@nerm-connect/shared/lite';
import { rolesAtScaleGoal } from './goals.ts';
import { json } from './nerm-direct.ts';
import type { SectionResult } from './report.ts';

export interface BigTenant {
  url: string;
  api_key: string;
}

export const BIG_PERSONS = Number(process.env.BENCH_BIG_PERSONS ?? 100_000);
const LATENCY_MS = 300;

const stats = (big: BigTenant) => json(`${big.url}/__sandbox/stats`);

export async function rolesAtScale(options: {
  big: BigTenant;
  brokerUrl: string;
  /** Connects the big tenant and answers an integrated_account_token. */
  connect: () => Promise<string>;
}): Promise<Pick<SectionResult, 'tables' | 'goals'>> {
  const { big, brokerUrl } = options;
  const token = await options.connect();
  await json(`${big.url}/__sandbox/faults`, {
    method: 'PUT',
    body: JSON.stringify({ latencyMs: LATENCY_MS }),
  });
  try {
    const direct = performance.now();
    await json(`${big.url}/api/profiles?limit=1`, {
      headers: { authorization: `Bearer ${big.api_key}` },
    });
    const directMs = performance.now() - direct;

    const page = async (cursor?: string) => {
      const before = (await stats(big)).api as number;
      const started = performance.now();
      const body = await json(
        `${brokerUrl}${PATHS.users}?limit=100${cursor ? `&next_cursor=${cursor}` : ''}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      const ms = performance.now() - started;
      return { body, ms, before };
    };
    const first = await page();
    const afterFirst = (await stats(big)) as { api: number; maxInFlight: number };
    const firstRequests = afterFirst.api - first.before;
    const second = await page(first.body.next_cursor);
    const third = await page(second.body.next_cursor);
    const afterThird = (await stats(big)) as { api: number; byRoute: Record<string, number> };
    const fmt = (n: number) => `${(n / 1000).toFixed(2)} s`;
    const rows = [
      ['what', 'time', 'vs one NERM request', 'upstream requests'],
      ['one NERM request, direct (baseline)', fmt(directMs), '1.00×', '1'],
      [
        'first users page (limit 100), cold broker',
        fmt(first.ms),
        `${(first.ms / directMs).toFixed(2)}×`,
        String(firstRequests),
      ],
      [
        'second page (waits for the walk’s role snapshot, read 16 pages at a time)',
        fmt(second.ms),
        `${(second.ms / directMs).toFixed(2)}×`,
        '',
      ],
      ['third page (built ahead)', fmt(third.ms), `${(third.ms / directMs).toFixed(2)}×`, ''],
      [
        `role_profiles requests for three pages (links read once, at most ${afterFirst.maxInFlight} at a time on page 1)`,
        '',
        '',
        String(afterThird.byRoute['GET /api/role_profiles'] ?? 0),
      ],
    ];
    return { tables: [{ rows }], goals: [rolesAtScaleGoal(first.ms, directMs)] };
  } finally {
    await json(`${big.url}/__sandbox/faults`, { method: 'PUT', body: '{}' });
  }
}
