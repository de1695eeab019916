// Runs the browser tests in real Chromium (web-test-runner.config.mjs). Without a Chromium
// on the machine they are skipped with a clear message, unless NERM_CONNECT_REQUIRE_BROWSER
// is set (CI sets it), in which case a missing browser is a failure.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromiumForTests } from '@nerm-connect/test-kit';

const chrome = chromiumForTests('widget browser tests');
if (!chrome) process.exit(0);

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
