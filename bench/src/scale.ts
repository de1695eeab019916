/**
 * Sections 7 and 8 of `pnpm bench` (load and soak; the fleet). Also runs alone:
 * `node --import tsx bench/src/scale.ts` (BENCH_LOAD_SECONDS, BENCH_SOAK_SECONDS,
 * BENCH_FLEET_ACCOUNTS, BENCH_FLEET_MINUTES shorten it); `pnpm bench 7 8` records them.
 */
import { pathToFileURL } from 'node:url';
import { startSandboxProcess, type SandboxInfo } from '@nerm-connect/test-kit';
import { FLEET, FLEET_MINUTES, fleetSection } from './fleet.ts';
import { loadGoals } from './goals.ts';
import { LOAD_SECONDS, SOAK_SECONDS, loadSection } from './load.ts';
import { printSection, type SectionResult } from './report.ts';

export async function loadResult(sandbox: SandboxInfo): Promise<SectionResult> {
  const { rows, figures } = await loadSection(sandbox);
  return {
    title: `Load (${LOAD_SECONDS} s each, 32 connections, loopback) and soak (${SOAK_SECONDS} s): broker vs a bare Express fetch-and-reshape over the same sandbox`,
    tables: [{ rows }],
    goals: loadGoals(figures),
  };
}

export async function fleetResult(): Promise<SectionResult> {
  const postgres =
    process.env.BENCH_POSTGRES_URL ??
    process.env.NERM_CONNECT_TEST_POSTGRES_URL ??
    'postgres://postgres@127.0.0.1:5432/test';
  return {
    title: `Fleet: ${FLEET.toLocaleString('en')} accounts (one small tenant each), 60 s cadence, 3 replicas on one PostgreSQL, ${FLEET_MINUTES} intervals measured`,
    ...(await fleetSection(postgres, (line) => console.log(line))),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { sandbox, close } = await startSandboxProcess({
    persons: Number(process.env.BENCH_PERSONS ?? 10_000),
  });
  try {
    printSection('7', await loadResult(sandbox));
    printSection('8', await fleetResult());
  } finally {
    await close();
  }
}
