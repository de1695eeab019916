import { defineConfig } from 'vitest/config';

// Node-side checks of the widget (bundle budget, manifest, translations); the element
// itself is tested in Chromium by web-test-runner.
export default defineConfig({ test: { include: ['test/**/*.unit.test.ts'] } });
