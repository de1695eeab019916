import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readJsonLine, stop } from '@nerm-connect/test-kit';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';

// README, "Run the broker in production": `pnpm build`, then `node dist/server.js`. The
// bundle must start and answer, the lazily loaded OpenAPI generator and the hosted page
// (with the widget's files) included.

const root = fileURLToPath(new URL('..', import.meta.url));

describe('the production bundle (pnpm build)', () => {
  it('starts from dist/server.js and serves the API, the OpenAPI document and the hosted page', async () => {
    const script = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).scripts.build as string;
    // The package's own build script, as `pnpm build` runs it (its bin folder on PATH).
    execFileSync('sh', ['-c', script], {
      cwd: root,
      stdio: 'pipe',
      env: { ...process.env, PATH: `${root}node_modules/.bin:${process.env.PATH}` },
    });
    const dir = tempDir();
    const child = spawn(process.execPath, ['dist/server.js'], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        NERM_BROKER_PORT: '0',
        NERM_BROKER_HOST: '127.0.0.1',
        NERM_BROKER_DATA_DIR: dir,
        NERM_BROKER_DATABASE_URL: `sqlite:${dir}/broker.db`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const { port } = await readJsonLine<{ port: number }>(child, {
        name: 'The built broker',
        timeoutMs: 60_000,
        match: (line) => String(line.msg).includes('broker listening'),
      });
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string };
      expect(doc.openapi).toBe('3.1.0');
      const page = await fetch(`${url}/connect`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<nerm-connect id="widget"');
      expect((await fetch(`${url}/connect/assets/nerm-connect.js`)).status).toBe(200);
    } finally {
      await stop(child);
    }
  }, 120_000);
});
