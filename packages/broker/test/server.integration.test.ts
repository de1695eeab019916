import { once } from 'node:events';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { finished, readJsonLine, spawnNode } from '@nerm-connect/test-kit';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';

const server = fileURLToPath(new URL('../src/server.ts', import.meta.url));

describe('pnpm broker (server.ts)', () => {
  it('starts from the environment, answers with security headers, and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    const child = spawnNode(server, {
      env: {
        NODE_ENV: 'development',
        NERM_BROKER_PORT: '0',
        NERM_BROKER_HOST: '127.0.0.1',
        NERM_BROKER_DATA_DIR: dir,
        NERM_BROKER_DATABASE_URL: `sqlite:${dir}/b.db`,
        NERM_BROKER_MAX_CONNECTIONS: '2',
      },
      stderr: 'pipe',
    });
    const ended = finished(child);
    const { port } = await readJsonLine<{ port: number }>(child, {
      name: 'The broker',
      match: (line) => String(line.msg).includes('broker listening'),
    });
    // NERM_BROKER_MAX_CONNECTIONS: two idle clients fill it; a third is closed unanswered.
    const idle = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    for (const s of idle) s.on('error', () => undefined);
    await Promise.all(idle.map((s) => once(s, 'connect')));
    const third = connect(port, '127.0.0.1');
    let answered = '';
    third.on('data', (c) => (answered += c)).on('error', () => undefined);
    third.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    // A reset is a fine way to be refused; `once` would reject on it, so wait for close.
    await new Promise((resolve) => third.once('close', resolve));
    expect(answered).toBe('');
    for (const s of idle) s.destroy();
    // The server notices the closed sockets on its own schedule: ask until it answers.
    let res: Response | undefined;
    while (!res) res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    child.kill('SIGTERM');
    const { code, stdout, stderr } = await ended;
    expect(code).toBe(0);
    expect(stdout).toContain('shutting down');
    // Development: the generated API key is printed once, to the terminal, not the log.
    expect(stderr).toMatch(/Development API key .*\n\s+nbk_dev_/);
    expect(stdout).not.toContain('nbk_dev_');
  }, 30_000); // a child process: slow on a loaded machine, never a timing check

  it('refuses to start in production without keys, naming what is missing', async () => {
    const child = spawnNode(server, {
      env: { NODE_ENV: 'production', NERM_BROKER_PORT: '0', NERM_BROKER_DATA_DIR: tempDir() },
      stderr: 'pipe',
    });
    const { code, stderr } = await finished(child);
    expect(code).toBe(78);
    expect(stderr).toContain('NERM_BROKER_API_KEYS is required when NODE_ENV=production');
  }, 30_000);
});
