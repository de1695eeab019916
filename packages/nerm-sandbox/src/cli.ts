import { startSandbox } from './server.ts';

/**
 * `pnpm sandbox`: prints exactly one JSON line with what a client needs, then serves
 * until SIGINT/SIGTERM. Port from NERM_SANDBOX_PORT (default 4010).
 */
const port = Number(process.env.NERM_SANDBOX_PORT ?? 4010);
const persons = process.env.NERM_SANDBOX_PERSONS
  ? Number(process.env.NERM_SANDBOX_PERSONS)
  : undefined;
const sandbox = await startSandbox({
  port,
  ...(persons ? { persons } : {}),
  ...(process.env.NERM_SANDBOX_API_KEY ? { apiKey: process.env.NERM_SANDBOX_API_KEY } : {}),
  ...(process.env.NERM_SANDBOX_CLIENT_ID ? { clientId: process.env.NERM_SANDBOX_CLIENT_ID } : {}),
  ...(process.env.NERM_SANDBOX_CLIENT_SECRET
    ? { clientSecret: process.env.NERM_SANDBOX_CLIENT_SECRET }
    : {}),
});

process.stdout.write(
  `${JSON.stringify({
    url: sandbox.url,
    api_key: sandbox.credentials.apiKey,
    client_id: sandbox.credentials.client.clientId,
    client_secret: sandbox.credentials.client.clientSecret,
    token_url: sandbox.tokenUrl,
  })}\n`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}
