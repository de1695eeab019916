import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { finished, readJsonLine, readLine, spawnNode, stop } from './process.ts';

/** A throwaway script: what it prints is the test's input. */
function script(source: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'test-kit-')), 'script.ts');
  writeFileSync(file, source);
  return file;
}

describe('spawnNode and readJsonLine', () => {
  it('returns the first JSON object line that matches, past other output, and keeps the rest flowing', async () => {
    const child = spawnNode(
      script(`
        console.log('starting…');
        console.log('{"msg":"warming up"}');
        console.log('{not json');
        console.log(JSON.stringify({ msg: 'listening', port: 4242 }));
        for (let i = 0; i < 2000; i++) console.log('x'.repeat(100)); // more than a pipe holds
        console.log('done');
        setInterval(() => {}, 1000);
      `),
    );
    const log = new PassThrough();
    let logged = '';
    log.on('data', (c) => (logged += c));
    const line = await readJsonLine<{ msg: string; port: number }>(child, {
      match: (l) => l.msg === 'listening',
      log,
    });
    expect(line).toEqual({ msg: 'listening', port: 4242 });
    // It drains into the log after the line, so the child never blocks on a full pipe.
    await expect.poll(() => logged.includes('done'), { timeout: 30_000 }).toBe(true);
    expect(logged.startsWith('starting…')).toBe(true);
    expect(await stop(child)).toBe(null); // ended by the signal, not by itself
  });

  it('rejects, naming the process and its exit code, when it ends before the line', async () => {
    const child = spawnNode(script(`console.log('{"msg":"nope"}'); process.exit(78);`), {
      stderr: 'ignore',
    });
    await expect(
      readJsonLine(child, { name: 'The broker', match: (l) => l.msg === 'listening' }),
    ).rejects.toThrow('The broker stopped before it was ready (exit code 78)');
  });

  it('gives up after timeoutMs when the line never comes, and says so', async () => {
    const child = spawnNode(script(`setInterval(() => {}, 1000);`));
    try {
      await expect(
        readLine(child, () => undefined, { name: 'The sandbox', timeoutMs: 50 }),
      ).rejects.toThrow('The sandbox did not say it was ready within 50 ms');
    } finally {
      await stop(child);
    }
  });

  it('passes a pick() error through', async () => {
    const child = spawnNode(script(`console.log('boom'); setInterval(() => {}, 1000);`));
    try {
      await expect(
        readLine(child, () => {
          throw new Error('cannot read this line');
        }),
      ).rejects.toThrow('cannot read this line');
    } finally {
      await stop(child);
    }
  });
});

describe('finished and stop', () => {
  it('collects what a process printed and its exit code', async () => {
    const child = spawnNode(
      script(`console.log('out'); console.error('err'); process.exitCode = 3;`),
      { stderr: 'pipe' },
    );
    expect(await finished(child)).toEqual({
      code: 3,
      signal: null,
      stdout: 'out\n',
      stderr: 'err\n',
    });
  });

  it('passes env and args to the script', async () => {
    const child = spawnNode(
      script(`console.log(JSON.stringify([process.env.TEST_KIT_ARG, process.argv.slice(2)]));`),
      { env: { TEST_KIT_ARG: 'x' }, args: ['--flag'] },
    );
    expect(JSON.parse((await finished(child)).stdout)).toEqual(['x', ['--flag']]);
  });

  it('stop() waits for a graceful exit and returns its code; a stopped child is left alone', async () => {
    const child = spawnNode(
      script(`
        process.on('SIGTERM', () => process.exit(0));
        console.log('ready');
        setInterval(() => {}, 1000);
      `),
    );
    await readLine(child, (l) => (l === 'ready' ? true : undefined));
    expect(await stop(child)).toBe(0);
    expect(await stop(child)).toBe(0);
  });
});
