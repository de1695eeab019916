/**
 * `pnpm bench` section 4: the widget bundle's gzip size vs its budget, its goal and Lit
 * alone; the first load (dist/nerm-connect.js) and, next to it, what every page loads
 * (that file and the on-demand chunk it asks for as the element connects); and where the
 * main file's bytes go, per source.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { decode } from '@jridgewell/sourcemap-codec';
import { build } from 'esbuild';
import { build as viteBuild, type Rollup } from 'vite';
// @ts-expect-error -- a plain .mjs module shared with the widget's build
import { bundleConfig, GZIP_BUDGET } from '../../packages/widget/scripts/vite-configs.mjs';
import { ratio, type SectionResult } from './report.ts';

const widgetDir = fileURLToPath(new URL('../../packages/widget', import.meta.url));
const GOAL_KIB = 10;
const gz = (bytes: Uint8Array | string) => gzipSync(bytes, { level: 9 }).length;
const kib = (b: number) => `${(b / 1024).toFixed(2)} KiB`;
const bytes = (code: string) => Buffer.byteLength(code);

/** The same Vite build as dist/nerm-connect.js (packages/widget/scripts/vite-configs.mjs). */
async function bundle(): Promise<Rollup.OutputChunk[]> {
  const config = bundleConfig({ write: false });
  // A map for the per-source table; 'hidden' leaves the code exactly as delivered.
  config.build.sourcemap = 'hidden';
  const [out] = (await viteBuild(config)) as Rollup.RollupOutput[];
  return out!.output.filter((o): o is Rollup.OutputChunk => o.type === 'chunk');
}

/** Which source each byte of `chunk` comes from (by its source map), grouped by package or file. */
function sources(chunk: Rollup.OutputChunk): Map<string, number[]> {
  const lines = decode(chunk.map!.mappings);
  const names = chunk.map!.sources.map((s) =>
    s
      .replace(/^.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')
      .replace(/^(?:\.\.\/)+(?:packages\/widget\/)?/, ''),
  );
  const owner: string[] = [];
  let offset = 0;
  let current = '(no source)';
  for (const [i, text] of chunk.code.split('\n').entries()) {
    const segments = lines[i] ?? [];
    let next = 0;
    for (let col = 0; col <= text.length; col++) {
      while (next < segments.length && segments[next]![0] <= col) {
        const source = segments[next]![1];
        if (source !== undefined) current = names[source]!;
        next++;
      }
      owner[offset + col] = current;
    }
    offset += text.length + 1;
  }
  const bySource = new Map<string, number[]>();
  owner.forEach((source, at) => {
    const group = /^lit-html|^lit-element|^@lit\/reactive-element/.test(source)
      ? `Lit: ${source.split('/')[0] === '@lit' ? 'reactive-element, css-tag' : source.split('/')[0]}`
      : source;
    const list = bySource.get(group) ?? [];
    if (list.length === 0) bySource.set(group, list);
    list.push(at);
  });
  return bySource;
}

/** Per source: its minified bytes and its marginal gzip (the file with and without them). */
function whereBytesGo(chunk: Rollup.OutputChunk): string[][] {
  const total = gz(chunk.code);
  const rows = [...sources(chunk)].map(([source, at]) => {
    const mine = new Set(at);
    const rest = chunk.code
      .split('')
      .filter((_, i) => !mine.has(i))
      .join('');
    return { source, minified: at.length, marginal: total - gz(rest) };
  });
  rows.sort((a, b) => b.marginal - a.marginal);
  return [
    ['source (main file)', 'minified', 'marginal gzip'],
    ...rows.map((r) => [r.source, `${r.minified} B`, `${r.marginal} B`]),
  ];
}

export async function widgetSection(): Promise<SectionResult> {
  const chunks = await bundle();
  const main = chunks.find((c) => c.fileName === 'nerm-connect.js')!;
  const flow = chunks.find((c) => c.name === 'on-demand')!;
  const litOnly = await build({
    stdin: {
      contents:
        "import { LitElement, html, css } from 'lit'; customElements.define('x-lit', class extends LitElement { static styles = css``; render() { return html``; } });",
      resolveDir: join(widgetDir),
    },
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    target: 'es2022',
  });
  const lit = litOnly.outputFiles[0]!.contents;
  const size = gz(main.code);
  const always = size + gz(flow.code);
  const goal = GOAL_KIB * 1024;
  const lazy = chunks.filter((c) => c !== main && c !== flow);
  return {
    title: 'Widget bundle, dist/nerm-connect.js (gzip -9)',
    tables: [
      {
        rows: [
          [
            'file',
            'minified',
            'gzip',
            `vs budget ${kib(GZIP_BUDGET)}`,
            `vs goal ${GOAL_KIB} KiB`,
            'vs Lit alone',
          ],
          [
            'first load: nerm-connect.js (Lit, English, the form)',
            kib(bytes(main.code)),
            kib(size),
            ratio(size, GZIP_BUDGET),
            ratio(size, goal),
            ratio(size, gz(lit)),
          ],
          [
            `always loaded: + ${flow.fileName.split('/').pop()} (asked for as the element connects)`,
            kib(bytes(main.code) + bytes(flow.code)),
            kib(always),
            '',
            ratio(always, goal),
            ratio(always, gz(lit)),
          ],
          ['Lit alone (baseline)', kib(lit.length), kib(gz(lit)), '', '', '1.00×'],
          ...lazy.map((c) => [
            `  only when needed: ${c.fileName.split('/').pop()}`,
            kib(bytes(c.code)),
            kib(gz(c.code)),
            '',
            '',
            '',
          ]),
        ],
      },
      {
        title:
          "Where the main file's bytes go (by its source map; marginal gzip = the file with and without that source's bytes, so the column adds up to less than the whole)",
        rows: whereBytesGo(main),
      },
    ],
    notes: [
      'On demand: the on-demand chunk every page loads as the element connects (the session check, submit, validation, failures, outcome screens); English error texts with the first submit; another language only when in use; developer warnings only for a page set up wrong.',
    ],
    goals: [
      {
        figure: 'widget, English, gzip (first load)',
        now: kib(size),
        baseline: `Lit alone ${kib(gz(lit))}`,
        goal: `≤ ${GOAL_KIB} KiB`,
        met: size <= goal,
        note: `with the on-demand chunk every page loads: ${kib(always)}; why: docs/decisions/0063-widget-size-goal-missed.md, 0110`,
      },
    ],
  };
}
