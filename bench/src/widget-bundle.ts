/** `pnpm bench` section 4: the widget bundle's gzip size vs its budget, its goal and Lit alone. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { build as viteBuild, type Rollup } from 'vite';
// @ts-expect-error -- a plain .mjs module shared with the widget's build
import { bundleConfig } from '../../packages/widget/scripts/vite-configs.mjs';
import { ratio, type SectionResult } from './report.ts';

const widgetDir = fileURLToPath(new URL('../../packages/widget', import.meta.url));
const GOAL_KIB = 10;

export async function widgetSection(): Promise<SectionResult> {
  // The same Vite build as dist/nerm-connect.js (packages/widget/scripts/vite-configs.mjs).
  const [bundle] = (await viteBuild(bundleConfig({ write: false }))) as Rollup.RollupOutput[];
  const outputs = bundle!.output
    .filter((o): o is Rollup.OutputChunk => o.type === 'chunk')
    .map((o) => ({ path: o.fileName, contents: Buffer.from(o.code) }));
  const main = outputs.find((f) => f.path === 'nerm-connect.js')!;
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
  const gz = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;
  const kib = (b: number) => `${(b / 1024).toFixed(2)} KiB`;
  const lit = litOnly.outputFiles[0]!.contents;
  const locales = outputs.filter((f) => f.path.startsWith('chunks/'));
  const size = gz(main.contents);
  return {
    title: 'Widget bundle, dist/nerm-connect.js (gzip -9)',
    tables: [
      {
        rows: [
          [
            'file',
            'minified',
            'gzip',
            'vs budget 14 KiB',
            `vs goal ${GOAL_KIB} KiB`,
            'vs Lit alone',
          ],
          [
            'nerm-connect.js (Lit included, English)',
            kib(main.contents.length),
            kib(size),
            ratio(size, 14 * 1024),
            ratio(size, GOAL_KIB * 1024),
            ratio(size, gz(lit)),
          ],
          ['Lit alone (baseline)', kib(lit.length), kib(gz(lit)), '', '', '1.00×'],
          ...locales.map((f) => [
            `  on demand: ${f.path.split('/').pop()}`,
            kib(f.contents.length),
            kib(gz(f.contents)),
            '',
            '',
            '',
          ]),
        ],
      },
    ],
    goals: [
      {
        figure: 'widget, English, gzip',
        now: kib(size),
        baseline: `Lit alone ${kib(gz(lit))}`,
        goal: `≤ ${GOAL_KIB} KiB`,
        met: size <= GOAL_KIB * 1024,
        note: 'why: docs/decisions/0063-widget-size-goal-missed.md',
      },
    ],
  };
}
