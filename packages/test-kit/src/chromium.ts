/**
 * The one place that knows where Chromium is and how the tests start it (Debian's
 * /usr/bin/chromium, or CHROME_PATH). playwright-core drives it; web-test-runner's
 * launcher takes the same path and flags.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/** Flags for a headless Chromium in a container: no sandbox, GPU, updates or first-run UI. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** CHROME_PATH when set, else the first Chromium installed at a usual place. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

/**
 * Chromium for the browser tests of `suite`: its path, or undefined when the machine has
 * none (the suite is then skipped, and says so). With NERM_CONNECT_REQUIRE_BROWSER set
 * (CI sets it) a missing Chromium is an error instead.
 */
export function chromiumForTests(suite: string): string | undefined {
  const path = findChromium();
  if (path) return path;
  const message = `No Chromium found (set CHROME_PATH, or apt-get install chromium): ${suite}`;
  if (process.env.NERM_CONNECT_REQUIRE_BROWSER) throw new Error(`${message} are required here.`);
  console.warn(`${message} SKIPPED.`);
  return undefined;
}

/** What a launcher needs (playwright-core's, web-test-runner's): path, headless, flags. */
export function chromiumLaunchOptions(): {
  executablePath: string;
  headless: true;
  args: string[];
} {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium found (set CHROME_PATH)');
  return { executablePath, headless: true, args: [...CHROMIUM_ARGS] };
}

/** A headless Chromium through playwright-core, with the flags above. */
export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const defaults = chromiumLaunchOptions();
  return chromium.launch({
    ...defaults,
    ...options,
    args: [...defaults.args, ...(options.args ?? [])],
  });
}
