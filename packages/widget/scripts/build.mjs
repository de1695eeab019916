// Builds the widget for delivery:
//   dist/nerm-connect.js   one ES module with Lit inside, for a plain <script type="module">;
//                          non-English texts are separate chunks it loads on demand
//   dist/lib, dist/types   the npm entry points (classes, define, react) and their types
//   custom-elements.json   the manifest, from the class JSDoc
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleOptions } from './bundle-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
rmSync('dist', { recursive: true, force: true });

const result = await build(bundleOptions);
const bytes = Object.entries(result.metafile.outputs).map(
  ([file, info]) => `${file} ${info.bytes} B`,
);
console.log(bytes.join('\n'));

// The package's and the workspace's tools, however this script was started.
const env = {
  ...process.env,
  PATH: [`${root}node_modules/.bin`, `${root}../../node_modules/.bin`, process.env.PATH].join(':'),
};
execFileSync('tsc', ['-p', 'tsconfig.build.json'], { stdio: 'inherit', env });
execFileSync(
  'cem',
  ['analyze', '--litelement', '--globs', 'src/nerm-connect.ts', 'src/events/*.ts', '--outdir', '.'],
  {
    stdio: 'inherit',
    env,
  },
);
