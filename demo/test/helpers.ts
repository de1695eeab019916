import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { startDemo, type Demo, type DemoOptions } from '../server.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export const CHROME = [
  process.env.CHROME_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
].find((p) => p && existsSync(p));
if (!CHROME && process.env.NERM_CONNECT_REQUIRE_BROWSER)
  throw new Error(
    'Chromium is required for the demo tests here (CHROME_PATH or /usr/bin/chromium)',
  );
if (!CHROME) console.warn('demo: no Chromium found (CHROME_PATH); browser tests are skipped');

/** `vite build` of the page into a fresh folder, as a sales engineer would host it. */
export async function buildPage(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'demo-dist-'));
  const { build } = await import('vite');
  await build({
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** The whole demo on free ports with a fresh data folder. */
export function startTestDemo(options: DemoOptions = {}): Promise<Demo> {
  return startDemo({
    port: 0,
    brokerPort: 0,
    sandboxPort: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'demo-data-')),
    ...options,
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROME!,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
