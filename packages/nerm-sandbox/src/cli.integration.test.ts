import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
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

  it('says which port is taken and how to pick another, instead of a raw EADDRINUSE', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as AddressInfo;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', cli], {
        env: { ...process.env, NERM_SANDBOX_PORT: String(port), NERM_SANDBOX_PERSONS: '20' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const [code] = await once(child, 'exit');
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain(`Port ${port} is already in use`);
      expect(stderr).toContain('NERM_SANDBOX_PORT');
      expect(stderr).not.toContain('EADDRINUSE');
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      taken.close();
    }
  });

  it('refuses a NERM_SANDBOX_PORT that is not a port number', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli], {
      env: { ...process.env, NERM_SANDBOX_PORT: 'four-oh-ten' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('NERM_SANDBOX_PORT must be a port number');
  });
});
