import { startSandbox } from './server.ts';

/**
 * `pnpm sandbox`: prints exactly one JSON line with what a client needs, then serves
 * until SIGINT/SIGTERM. Port from NERM_SANDBOX_PORT (default 4010; 0 picks a free one).
 */
const port = Number(process.env.NERM_SANDBOX_PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(
    `NERM_SANDBOX_PORT must be a port number (0 picks a free one), not "${process.env.NERM_SANDBOX_PORT}"\n`,
  );
  process.exit(1);
}
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
}).catch((error: NodeJS.ErrnoException) => {
  if (error.code !== 'EADDRINUSE') throw error;
  // `pnpm demo` starts its own sandbox on 4010: say so rather than print a stack trace.
  process.stderr.write(
    `Port ${port} is already in use (is \`pnpm demo\` running? It starts its own sandbox).\n` +
      `Pick another port: NERM_SANDBOX_PORT=4011 pnpm sandbox (0 picks a free one).\n`,
  );
  process.exit(1);
});

// Handlers first: a parent may stop the sandbox the moment it reads the line.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}

process.stdout.write(
  `${JSON.stringify({
    url: sandbox.url,
    api_key: sandbox.credentials.apiKey,
    client_id: sandbox.credentials.client.clientId,
    client_secret: sandbox.credentials.client.clientSecret,
    token_url: sandbox.tokenUrl,
  })}\n`,
);
