import { defineConfig } from 'vitest/config';

// The kit's own tests (Node). The end-to-end suites it serves live in e2e/, a package of
// their own (@nerm-connect/e2e).
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
});
