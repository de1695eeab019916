import { defineConfig } from 'vitest/config';

// Tests run from the package root; vite.config.ts is the page's (its root is web/).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file starts its own sandbox, broker and page; one at a time on a small machine.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
