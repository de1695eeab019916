import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

describe('pnpm sandbox (cli)', () => {
  it('prints exactly one JSON line with url, api_key, client_id, client_secret, token_url', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli], {
      env: { ...process.env, NERM_SANDBOX_PORT: '0', NERM_SANDBOX_PERSONS: '20' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    while (!out.includes('\n')) {
      const [chunk] = (await once(child.stdout, 'data')) as [string];
      out += chunk;
    }
    const line = JSON.parse(out.trim());
    expect(Object.keys(line).sort()).toEqual([
      'api_key',
      'client_id',
      'client_secret',
      'token_url',
      'url',
    ]);
    const res = await fetch(`${line.url}/api/profiles?limit=1`, {
      headers: { authorization: `Bearer ${line.api_key}` },
    });
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
  });
});
