/**
 * `pnpm --filter @nerm-connect/e2e test`: the widget's end-to-end suite in real Chromium
 * (web-test-runner.config.mjs starts the stack). Without a Chromium on the machine it is
 * skipped and says so, unless NERM_CONNECT_REQUIRE_BROWSER is set (CI sets it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumForTests } from '@nerm-connect/test-kit';

const here = dirname(fileURLToPath(import.meta.url));
const chrome = chromiumForTests('widget end-to-end tests');
if (!chrome) process.exit(0);

// The strict-CSP test loads the delivered file: build it when the sources are newer.
const widget = dirname(dirname(createRequire(import.meta.url).resolve('@nerm-connect/widget')));
const bundle = join(widget, 'dist/nerm-connect.js');
const newest = (dir: string): number =>
  Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    }),
  );
if (!existsSync(bundle) || statSync(bundle).mtimeMs < newest(join(widget, 'src'))) {
  const built = spawnSync(process.execPath, ['scripts/build.mjs', '--bundle-only'], {
    cwd: widget,
    stdio: 'inherit',
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const bin = (name: string) => join(here, 'node_modules/.bin', name);
const result = spawnSync(
  bin('wtr'),
  ['--config', 'web-test-runner.config.mjs', ...process.argv.slice(2)],
  {
    cwd: here,
    stdio: 'inherit',
    env: { ...process.env, CHROME_PATH: chrome },
  },
);
process.exit(result.status ?? 1);
