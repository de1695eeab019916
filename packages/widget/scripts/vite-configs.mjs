// How the widget is built with Vite's library mode; shared by the build, the size-budget
// test and the bench, so all three measure the same thing.
//
//   bundleConfig  dist/nerm-connect.js: one ES module with Lit and English inside, for a plain
//                 <script type="module">; other locales are lazy chunks in dist/chunks/
//   libConfig     dist/lib: the npm entries (index, define, react), Lit and React left to
//                 the app's bundler
import { fileURLToPath } from 'node:url';
import minifyHtmlLiterals from '@lit-labs/rollup-plugin-minify-html-literals';

export const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * dist/nerm-connect.js's gzip budget in bytes, checked by test/delivery.unit.test.ts and
 * shown by `pnpm bench 4`: 11,250 B measured, plus 270 B of headroom
 * (docs/decisions/0110-widget-first-paint-in-the-main-file.md).
 */
export const GZIP_BUDGET = 11.25 * 1024;

/** Lit's html`` and css`` literals, minified by the maintained plugin; failures fail the build. */
const literals = () => minifyHtmlLiterals({ failOnError: true });

/**
 * `@lit/task` runs in the on-demand chunk, and takes one function from Lit: `notEqual`.
 * Resolved to Lit's definition here (reactive-element.ts, `!Object.is(value, old)`), the
 * chunk needs nothing of the main file (docs/decisions/0110-widget-first-paint-in-the-main-file.md).
 */
const taskNotEqual = () => ({
  name: 'lit-task-not-equal',
  enforce: 'pre',
  resolveId(id, importer) {
    if (id === '@lit/reactive-element' && importer?.includes('/@lit/task/')) return '\0not-equal';
    return null;
  },
  load(id) {
    return id === '\0not-equal'
      ? 'export const notEqual = (value, old) => !Object.is(value, old);'
      : null;
  },
});

const shared = {
  root,
  configFile: false,
  logLevel: 'warn',
  // Lit's production build, never its dev warnings.
  mode: 'production',
  define: { 'process.env.NODE_ENV': '"production"' },
  // Explicit, so a build started from a test runner (NODE_ENV=test) is the same build.
  resolve: { conditions: ['browser', 'production', 'module', 'import', 'default'] },
  esbuild: { target: 'es2022', legalComments: 'none' },
};

export function bundleConfig({ write = true } = {}) {
  return {
    ...shared,
    plugins: [literals(), taskNotEqual()],
    build: {
      write,
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      minify: 'terser',
      terserOptions: {
        ecma: 2022,
        module: true,
        compress: {
          passes: 3,
          unsafe: true,
          unsafe_arrows: true,
          unsafe_methods: true,
          pure_getters: true,
          keep_fargs: false,
        },
        // Our private members (`_name`) only; Lit's own internals are already short. Safe
        // because no private name is ever spelled as a string (see the element's state).
        mangle: { properties: { regex: /^_[a-z]/ } },
        format: { comments: false, preserve_annotations: false },
      },
      reportCompressedSize: false,
      lib: { entry: 'src/define.ts', formats: ['es'], fileName: () => 'nerm-connect.js' },
      rollupOptions: {
        output: { chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  };
}

export function libConfig() {
  return {
    ...shared,
    plugins: [literals()],
    build: {
      outDir: 'dist/lib',
      emptyOutDir: false,
      target: 'es2022',
      minify: false,
      sourcemap: true,
      reportCompressedSize: false,
      lib: {
        entry: { index: 'src/index.ts', define: 'src/define.ts', react: 'src/react.ts' },
        formats: ['es'],
      },
      rollupOptions: {
        // The app's own copies: one Lit, one React on the page.
        external: [
          /^@nerm-connect\//,
          /^lit($|\/)/,
          /^@lit\//,
          /^@lit-labs\//,
          /^react($|\/)/,
          /^react-dom($|\/)/,
        ],
        output: { preserveModules: true, preserveModulesRoot: 'src', entryFileNames: '[name].js' },
      },
    },
  };
}
