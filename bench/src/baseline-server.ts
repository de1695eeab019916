/**
 * The load baseline: a bare Express app that fetches the same NERM page the broker reads
 * and reshapes it into unified users and roles, with nothing else (no auth, no cursors,
 * no mapping table, no role join). Run as its own process by bench/src/load.ts; prints
 * one JSON line `{"port": …}` when it listens.
 */
import express from 'express';
import { bareUser } from './bare-reshape.ts';

const nerm = process.env.BASELINE_NERM_URL!;
const authorization = `Bearer ${process.env.BASELINE_NERM_API_KEY!}`;

async function page(resource: string, limit: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${nerm}/api/${resource}?limit=${limit}&offset=0`, {
    headers: { authorization, accept: 'application/json' },
  });
  if (!res.ok) throw new Error(`NERM answered ${res.status}`);
  return ((await res.json()) as Record<string, Record<string, unknown>[]>)[resource] ?? [];
}

const app = express();
app.get('/users', async (req, res) => {
  try {
    const profiles = await page('profiles', String(req.query.limit ?? '100'));
    const result = profiles.map(bareUser);
    res.json({ result, next_cursor: null, result_count: result.length });
  } catch {
    res.status(502).json({ error: 'upstream' });
  }
});
app.get('/roles', async (req, res) => {
  try {
    const roles = await page('roles', String(req.query.limit ?? '100'));
    const result = roles.map((r) => ({
      id: r.id,
      name: r.name,
      external_id: r.uid,
      groups: r.groups,
    }));
    res.json({ result, next_cursor: null, result_count: result.length });
  } catch {
    res.status(502).json({ error: 'upstream' });
  }
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
