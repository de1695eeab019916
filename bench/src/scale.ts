/**
 * Sections 7 and 8 of `pnpm bench` (load and soak; the fleet). Also runs alone:
 * `node --import tsx bench/src/scale.ts` (BENCH_LOAD_SECONDS, BENCH_SOAK_SECONDS,
 * BENCH_FLEET_ACCOUNTS, BENCH_FLEET_MINUTES shorten it).
 */
import { pathToFileURL } from 'node:url';
import { startSandboxProcess, type SandboxInfo } from '@nerm-connect/test-kit';
import { FLEET, FLEET_MINUTES, fleetSection } from './fleet.ts';
import { LOAD_SECONDS, SOAK_SECONDS, loadSection } from './load.ts';

export type Table = (title: string, rows: string[][]) => void;

export async function scaleSections(
  sandbox: SandboxInfo,
  table: Table,
  wanted: (section: number) => boolean = () => true,
): Promise<void> {
  if (wanted(7))
    table(
      `7. Load (${LOAD_SECONDS} s each, 32 connections, loopback) and soak (${SOAK_SECONDS} s): broker vs a bare Express fetch-and-reshape over the same sandbox`,
      await loadSection(sandbox),
    );
  if (!wanted(8)) return;
  const postgres =
    process.env.BENCH_POSTGRES_URL ??
    process.env.NERM_CONNECT_TEST_POSTGRES_URL ??
    'postgres://postgres@127.0.0.1:5432/test';
  table(
    `8. Fleet: ${FLEET.toLocaleString('en')} accounts (one small tenant each), 60 s cadence, 3 replicas on one PostgreSQL, ${FLEET_MINUTES} intervals measured`,
    await fleetSection(postgres, (line) => console.log(line)),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const table: Table = (title, rows) => {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    console.log(`\n${title}`);
    for (const [i, row] of rows.entries()) {
      console.log(`  ${row.map((cell, j) => cell.padEnd(widths[j]!)).join('   ')}`);
      if (i === 0) console.log(`  ${widths.map((w) => '-'.repeat(w)).join('   ')}`);
    }
  };
  const { sandbox, close } = await startSandboxProcess({
    persons: Number(process.env.BENCH_PERSONS ?? 10_000),
  });
  try {
    await scaleSections(sandbox, table);
  } finally {
    await close();
  }
}
