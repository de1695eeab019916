// The element's own tests in real Chromium (Debian's /usr/bin/chromium, or CHROME_PATH),
// on a fake transport: no broker, no sandbox. The real-broker suite is the end-to-end one
// in packages/test-kit.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { register } from 'tsx/esm/api';

// Chromium's flags and a free port come from the test kit (TypeScript, hence tsx).
register();
const { chromiumLaunchOptions, freePort } = await import('@nerm-connect/test-kit');

const root = fileURLToPath(new URL('.', import.meta.url));
const shots = join(root, 'screenshots');

/** `executeServerCommand('screenshot', {name})`: the page as Chromium renders it, as a PNG. */
function screenshots() {
  return {
    name: 'screenshot',
    async executeCommand({ command, payload, session }) {
      if (command !== 'screenshot') return undefined;
      mkdirSync(shots, { recursive: true });
      const page = session.browser.getPage(session.id);
      await page.screenshot({ path: join(shots, `${payload.name}.png`), fullPage: true });
      return true;
    },
  };
}

export default {
  files: ['test/**/*.test.ts', '!test/**/*.unit.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  port: await freePort(),
  hostname: '127.0.0.1',
  concurrency: 1,
  testFramework: {
    config: { timeout: 15000, ...(process.env.WTR_GREP ? { grep: process.env.WTR_GREP } : {}) },
  },
  browsers: [chromeLauncher({ launchOptions: chromiumLaunchOptions() })],
  plugins: [
    screenshots(),
    esbuildPlugin({ ts: true, tsconfig: join(root, 'tsconfig.json'), target: 'es2022' }),
  ],
};
