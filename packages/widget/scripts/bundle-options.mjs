// How dist/nerm-connect.js is bundled; shared by the build and the size-budget test.
import { minifyLiterals } from './minify-literals.mjs';

export const bundleOptions = {
  entryPoints: { 'nerm-connect': 'src/define.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  target: 'es2022',
  chunkNames: 'locales/[name]-[hash]',
  legalComments: 'none',
  tsconfig: 'tsconfig.json',
  metafile: true,
  // Our private members (`_name`) only: Lit's own internals are already short.
  mangleProps: /^_[a-z]/,
  plugins: [minifyLiterals()],
};
