/**
 * What `pnpm bench` prints and records: each section's tables on the console, and
 * `bench/results.json` + `bench/results.md`, merged section by section, so running one
 * section (`pnpm bench 2`) replaces that section and keeps the others with the machine
 * and date they ran on (docs/operations.md, "Benchmarks").
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Statistics } from 'tinybench';

/** A figure with a goal: its value next to its baseline, met or missed and by how much. */
export interface Goal {
  figure: string;
  /** The measured value, as shown (a ratio, a size, a rate). */
  now: string;
  baseline: string;
  goal: string;
  met: boolean;
  /** How far from the goal, where a percentage of the goal cannot say it (a goal of 0). */
  missedBy?: string;
  /** Why it is missed, or what made it met (changed and why), and the doc that explains. */
  note?: string;
}

export interface SectionResult {
  title: string;
  tables: { title?: string; rows: string[][] }[];
  notes?: string[];
  goals?: Goal[];
}

interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  /** 1, 5 and 15 minute load averages at the section's start and end. */
  loadStart: number[];
  loadEnd: number[];
  node: string;
  date: string;
}

interface RecordedSection extends SectionResult {
  id: string;
  machine: Machine;
  seconds: number;
}

// ---- formatting -------------------------------------------------------------------

export const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(2)} ms`);
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
export const us = (n: number) => `${n.toFixed(1)} µs`;

/** p50 / p99 of a tinybench latency distribution (ms), as shown in every table. */
export const p50p99 = (s: Statistics) => `${ms(s.p50)} / ${ms(s.p99)}`;

/**
 * A goal stated as "ratio ≤ limit" (lower is better): met, or missed by how much.
 */
export function ratioGoal(
  figure: string,
  value: number,
  baseline: string,
  limit: number,
  note?: string,
): Goal {
  return boundGoal(figure, value, baseline, { most: limit, unit: '×' }, note);
}

/**
 * A goal with a bound: `most` (lower is better) or `least` (higher is better), shown with
 * its unit ('×', ' s', '%') to `digits` decimals (2).
 */
export function boundGoal(
  figure: string,
  value: number,
  baseline: string,
  bound: ({ most: number } | { least: number }) & { unit: string; digits?: number },
  note?: string,
): Goal {
  const [sign, limit, met] =
    'most' in bound
      ? (['≤', bound.most, value <= bound.most] as const)
      : (['≥', bound.least, value >= bound.least] as const);
  // A bound in percent is missed by percentage points, not by a percentage of itself.
  const points = Math.abs(value - limit).toFixed(1);
  return {
    figure,
    now: `${value.toFixed(bound.digits ?? 2)}${bound.unit}`,
    baseline,
    goal: `${sign} ${limit}${bound.unit}`,
    met,
    ...(!met && bound.unit === '%' ? { missedBy: `${points} percentage points` } : {}),
    ...(note ? { note } : {}),
  };
}

/** A goal of none (5xx answers, overlapping syncs): missed by how many of how many. */
export function noneGoal(
  figure: string,
  count: number,
  of: { total: number; what: string },
  baseline: string,
  note?: string,
): Goal {
  const share = ((count / Math.max(1, of.total)) * 100).toFixed(1);
  return {
    figure,
    now: `${count} of ${of.total.toLocaleString('en')} ${of.what}`,
    baseline,
    goal: '0',
    met: count === 0,
    ...(count === 0
      ? {}
      : { missedBy: `${count} of ${of.total.toLocaleString('en')} (${share}%)` }),
    ...(note ? { note } : {}),
  };
}

/** CPU milliseconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, 100 Hz
}

export function printSection(id: string, section: SectionResult): void {
  console.log(`\n${id}. ${section.title}`);
  for (const table of section.tables) {
    if (table.title) console.log(`  ${table.title}`);
    const widths = table.rows[0]!.map((_, i) =>
      Math.max(...table.rows.map((r) => (r[i] ?? '').length)),
    );
    for (const [i, row] of table.rows.entries()) {
      console.log(`  ${row.map((cell, j) => cell.padEnd(widths[j]!)).join('   ')}`);
      if (i === 0) console.log(`  ${widths.map((w) => '-'.repeat(w)).join('   ')}`);
    }
  }
  for (const note of section.notes ?? []) console.log(`  ${note}`);
  for (const goal of section.goals ?? [])
    console.log(`  goal: ${goal.figure}: ${goal.now} (goal ${goal.goal}) ${verdict(goal)}`);
}

/** 'met', or 'missed by N%' of the goal's bound (≤ or ≥), or by the count a goal of 0 names. */
export function verdict(goal: Goal): string {
  if (goal.met) return 'met';
  if (goal.missedBy) return `missed by ${goal.missedBy}`;
  const now = Number.parseFloat(goal.now);
  const limit = Number.parseFloat(goal.goal.replace(/^[^\d]*/, ''));
  if (!Number.isFinite(now) || !Number.isFinite(limit) || limit <= 0) return 'missed';
  const off = goal.goal.startsWith('≥') ? limit - now : now - limit;
  return `missed by ${((off / limit) * 100).toFixed(0)}%`;
}

/** The Goals table of bench/results.md: every section's goals, in section order. */
export function goalRows(sections: { id: string; goals?: Goal[] }[]): string[][] {
  return [
    ['section', 'figure', 'now', 'baseline', 'goal', 'result', 'note'],
    ...sections.flatMap((s) =>
      (s.goals ?? []).map((g) => [
        s.id,
        g.figure,
        g.now,
        g.baseline,
        g.goal,
        verdict(g),
        g.note ?? '',
      ]),
    ),
  ];
}

// ---- the machine ------------------------------------------------------------------

export function machineNow(): Pick<Machine, 'cpu' | 'cores' | 'memoryGb' | 'node'> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** Runs one section, noting the load average around it and how long it took. */
export async function recordSection(
  id: string,
  run: () => Promise<SectionResult>,
): Promise<RecordedSection> {
  const loadStart = loadavg();
  const started = Date.now();
  const result = await run();
  const recorded: RecordedSection = {
    ...result,
    id,
    seconds: Math.round((Date.now() - started) / 1000),
    machine: {
      ...machineNow(),
      loadStart: loadStart.map(round2),
      loadEnd: loadavg().map(round2),
      date: new Date(started).toISOString(),
    },
  };
  printSection(id, recorded);
  return recorded;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

// ---- bench/results.json and bench/results.md ----------------------------------------

const JSON_FILE = fileURLToPath(new URL('../results.json', import.meta.url));
const MD_FILE = fileURLToPath(new URL('../results.md', import.meta.url));

/** Merges the sections that ran into the recorded ones and rewrites both files. */
export function writeResults(ran: RecordedSection[], files = { json: JSON_FILE, md: MD_FILE }) {
  const previous: RecordedSection[] = existsSync(files.json)
    ? (JSON.parse(readFileSync(files.json, 'utf8')) as { sections: RecordedSection[] }).sections
    : [];
  const byId = new Map(previous.map((s) => [s.id, s]));
  for (const section of ran) byId.set(section.id, section);
  const sections = [...byId.values()].sort((a, b) => Number(a.id) - Number(b.id));
  writeFileSync(files.json, `${JSON.stringify({ sections }, null, 2)}\n`);
  writeFileSync(files.md, renderMarkdown(sections, new Set(ran.map((s) => s.id))));
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function markdownTable(rows: string[][]): string[] {
  const [head, ...body] = rows;
  return [
    `| ${head!.map(cell).join(' | ')} |`,
    `|${head!.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${head!.map((_, i) => cell(r[i] ?? '')).join(' | ')} |`),
  ];
}

const machineLine = (m: Machine) =>
  `${m.date.slice(0, 16).replace('T', ' ')} UTC · ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB · ` +
  `load average ${m.loadStart.join(' / ')} at start, ${m.loadEnd.join(' / ')} at end · Node ${m.node}`;

const GOALS_NOTE = [
  'Scale-out (limits that hold for three replicas together, a tenant never sent more than its',
  'budget in flight) is proven by `three-replicas.integration.test.ts` in `pnpm test`, not timed',
  "here; section 8's in-flight row is the bench's own check of the budget. Section 5 (the store's",
  'query builder against a raw statement) has no goal: docs/decisions/0030-one-store-over-kysely.md.',
];

function renderMarkdown(sections: RecordedSection[], ran: Set<string>): string {
  const lines = [
    '# `pnpm bench` results',
    '',
    'Written by `pnpm bench` (bench/src/run.ts); `pnpm bench 1 2` runs sections 1 and 2 and',
    'replaces only theirs here, so each section states the machine, load and date it ran on.',
    'Ratios are the figures to read: absolute times on a loaded, shared machine are not.',
    `Sections in the last run: ${[...ran].join(', ') || 'none'}.`,
    '',
    '## Goals',
    '',
    ...markdownTable(goalRows(sections)),
    '',
    ...GOALS_NOTE,
  ];
  for (const s of sections) {
    lines.push('', `## ${s.id}. ${s.title}`, '', `Ran ${machineLine(s.machine)} · ${s.seconds} s.`);
    for (const table of s.tables) {
      lines.push('');
      if (table.title) lines.push(`${table.title}`, '');
      lines.push(...markdownTable(table.rows));
    }
    if (s.notes?.length) lines.push('', ...s.notes.map((n) => `- ${n}`));
  }
  return `${lines.join('\n')}\n`;
}
