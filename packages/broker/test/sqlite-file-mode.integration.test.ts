import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { tempDir } from './helpers.ts';

// Issue 8, "also worth closing" (docs/security.md): the SQLite file holds ciphertext and
// token hashes, and was created 0644 when its folder already existed.

const modeOf = (file: string) => statSync(file).mode & 0o777;

async function openAndWrite(file: string): Promise<void> {
  const store = new SqliteStore(file);
  await store.migrate();
  await store.insertLinkToken({
    token_hash: 'h',
    tenant_id: 't',
    account_id: null,
    expires_at: 1,
    used_at: null,
    created_at: 0,
  });
  expect(existsSync(`${file}-wal`)).toBe(true);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f), f).toBe(0o600);
  await store.close();
}

describe('the SQLite file', () => {
  it('is created 0600 (and its WAL and shared memory with it) in a folder that exists', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    await openAndWrite(join(dir, 'broker.db'));
  });

  it('is created 0600 in a folder it creates (0700)', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    await openAndWrite(join(dir, 'broker.db'));
    expect(modeOf(dir)).toBe(0o700);
  });

  it('is tightened to 0600 when it exists readable by others', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'broker.db');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, '');
    chmodSync(`${file}-wal`, 0o644);
    await openAndWrite(file);
  });
});
