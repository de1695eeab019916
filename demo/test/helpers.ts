import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumForTests } from '@nerm-connect/test-kit';
import { startDemo, type Demo, type DemoOptions } from '../server.ts';

export { launchChromium } from '@nerm-connect/test-kit';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Chromium for the demo's browser tests (the test kit finds it, or says why not). */
export const CHROME = chromiumForTests('demo browser tests');

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
