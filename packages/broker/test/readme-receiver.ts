import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { verifyWebhook, type EventUser } from '@nerm-connect/shared';
import { transformSync } from 'esbuild';
import express from 'express';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** The receiver code block of the README's "Receive lifecycle events" section, verbatim. */
export function readmeReceiverSource(): string {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf('## Receive lifecycle events'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README: no receiver code block under "Receive lifecycle events"');
  return block;
}

export interface ReadmeReceiver {
  url: string;
  /** Users whose access the receiver revoked, in order (once per event id). */
  revoked: { id: string; eventId?: string }[];
  /** Every request that reached it: status answered per webhook-id. */
  answers: { id: string | undefined; status: number }[];
  /** While down, every request is answered 503 before the README's code sees it. */
  down: boolean;
  close(): Promise<void>;
}

/**
 * Runs the README's receiver as written: its two imports are bound to the real modules,
 * `revokeAccess` is the test's, the secret comes from `process.env` and
 * `app.listen(3000)` becomes a free port. Nothing else of the snippet changes.
 */
export async function startReadmeReceiver(secret: string): Promise<ReadmeReceiver> {
  const source = readmeReceiverSource()
    .replace("import express from 'express';", '')
    .replace("import { verifyWebhook } from '@nerm-connect/shared';", '')
    .replace('app.listen(3000);', 'return app;');
  if (source.includes('import ') || !source.includes('return app;'))
    throw new Error('README receiver changed shape: update test/readme-receiver.ts');
  const js = transformSync(`async function readmeReceiver() {\n${source}\n}`, {
    loader: 'ts',
  }).code;
  const receiver: ReadmeReceiver = {
    url: '',
    revoked: [],
    answers: [],
    down: false,
    close: async () => undefined,
  };
  const revokeAccess = async (user: EventUser) => {
    receiver.revoked.push({ id: user.id });
  };
  const env = { NERM_CONNECT_WEBHOOK_SECRET: secret };
  const build = new Function(
    'express',
    'verifyWebhook',
    'revokeAccess',
    'process',
    `${js}\nreturn readmeReceiver();`,
  ) as (...args: unknown[]) => Promise<express.Express>;
  const inner = await build(express, verifyWebhook, revokeAccess, { env });
  const outer = express();
  outer.use((req, res, next) => {
    const id = req.get('webhook-id');
    res.on('finish', () => receiver.answers.push({ id, status: res.statusCode }));
    if (receiver.down) return void res.sendStatus(503);
    next();
  });
  outer.use(inner);
  const server: Server = outer.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return receiver;
}
