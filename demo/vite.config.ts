import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The demo page: `web/` is the app; `pnpm --filter @nerm-connect/demo build` writes `dist/`. */
export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // One file per asset kind, no inline data URLs: the page's CSP allows 'self' only.
    assetsInlineLimit: 0,
  },
});
