import { defineConfig } from 'vitest/config';

// Harness limits, not assertions: the suite also runs on a 2-core machine shared with
// other work, where spawning a child process or a first import can take longer than
// vitest's 5 s default. A test that hangs still fails, just later.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
