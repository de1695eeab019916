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
rmSync(process.argv.includes('--bundle-only') ? 'dist/locales' : 'dist', {
  recursive: true,
  force: true,
});

const result = await build(bundleOptions);
const bytes = Object.entries(result.metafile.outputs).map(
  ([file, info]) => `${file} ${info.bytes} B`,
);
console.log(bytes.join('\n'));
// `--bundle-only`: just dist/nerm-connect.js and its locale chunks (the browser tests load them).
if (process.argv.includes('--bundle-only')) process.exit(0);

// The package's and the workspace's tools, however this script was started.
const env = {
  ...process.env,
  PATH: [`${root}node_modules/.bin`, `${root}../../node_modules/.bin`, process.env.PATH].join(':'),
};
execFileSync('tsc', ['-p', 'tsconfig.build.json'], { stdio: 'inherit', env });
// Globs, the Lit plugin and the public-only filter live in custom-elements-manifest.config.mjs.
execFileSync('cem', ['analyze', '--outdir', '.'], { stdio: 'inherit', env });
