// Runs the browser tests in real Chromium. Without a Chromium on the machine they are
// skipped with a clear message, unless NERM_CONNECT_REQUIRE_BROWSER is set (CI sets it),
// in which case a missing browser is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const candidates = [
  process.env.CHROME_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];
const chrome = candidates.find((p) => p && existsSync(p));
if (!chrome) {
  const message =
    'No Chromium found (set CHROME_PATH, or apt-get install chromium): widget browser tests';
  if (process.env.NERM_CONNECT_REQUIRE_BROWSER) {
    console.error(`${message} are required here and cannot run.`);
    process.exit(1);
  }
  console.warn(`${message} SKIPPED.`);
  process.exit(0);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const result = spawnSync(
  'wtr',
  ['--config', 'web-test-runner.config.mjs', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      CHROME_PATH: chrome,
      PATH: [`${root}node_modules/.bin`, `${root}../../node_modules/.bin`, process.env.PATH].join(
        ':',
      ),
    },
  },
);
process.exit(result.status ?? 1);
