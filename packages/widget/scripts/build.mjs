// Builds the widget for delivery with Vite's library mode (scripts/vite-configs.mjs):
//   dist/nerm-connect.js   one ES module, Lit and English inside; locales lazy in dist/chunks/
//   dist/lib, dist/types   the npm entry points (index, define, react) and their types
//   custom-elements.json   the manifest, from the class JSDoc
// `--bundle-only`: just dist/nerm-connect.js and its chunks (what the browser tests load).
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { bundleConfig, libConfig, root } from './vite-configs.mjs';

process.chdir(root);
const bundleOnly = process.argv.includes('--bundle-only');
for (const path of bundleOnly ? ['dist/nerm-connect.js', 'dist/chunks'] : ['dist'])
  rmSync(path, { recursive: true, force: true });

await build(bundleConfig());
const files = [
  'dist/nerm-connect.js',
  ...readdirSync('dist/chunks').map((f) => join('dist/chunks', f)),
];
console.log(files.map((f) => `${f} ${statSync(f).size} B`).join('\n'));
if (bundleOnly) process.exit(0);

await build(libConfig());
// The package's and the workspace's tools, however this script was started.
const env = {
  ...process.env,
  PATH: [`${root}node_modules/.bin`, `${root}../../node_modules/.bin`, process.env.PATH].join(':'),
};
execFileSync('tsc', ['-p', 'tsconfig.build.json'], { stdio: 'inherit', env });
// Globs, the Lit plugin and the public-only filter live in custom-elements-manifest.config.mjs.
execFileSync('cem', ['analyze', '--outdir', '.'], { stdio: 'inherit', env });
