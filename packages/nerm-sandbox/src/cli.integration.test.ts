import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { finished, readLine, spawnNode } from '@nerm-connect/test-kit';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

describe('pnpm sandbox (cli)', () => {
  it('prints exactly one JSON line with url, api_key, client_id, client_secret, token_url', async () => {
    const child = spawnNode(cli, { env: { NERM_SANDBOX_PORT: '0', NERM_SANDBOX_PERSONS: '20' } });
    const ended = finished(child);
    const line = await readLine(child, (l) => JSON.parse(l) as Record<string, string>, {
      name: 'The NERM sandbox',
    });
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
    const { code, stdout } = await ended;
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });

  it('says which port is taken and how to pick another, instead of a raw EADDRINUSE', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as AddressInfo;
    try {
      const { code, stdout, stderr } = await finished(
        spawnNode(cli, {
          env: { NERM_SANDBOX_PORT: String(port), NERM_SANDBOX_PERSONS: '20' },
          stderr: 'pipe',
        }),
      );
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
    const { code, stderr } = await finished(
      spawnNode(cli, { env: { NERM_SANDBOX_PORT: 'four-oh-ten' }, stderr: 'pipe' }),
    );
    expect(code).toBe(1);
    expect(stderr).toContain('NERM_SANDBOX_PORT must be a port number');
  });
});
