import { createBroker } from './broker.ts';
import { configOrExit } from './cli/config-or-exit.ts';
import { createHttpServer } from './http/http-server.ts';

/** How long closing the store may take once the deadline has cut the requests in flight. */
const CLOSE_AFTER_DEADLINE_MS = 2_000;

/** `pnpm broker`: configuration from the environment (README, "Run the broker in production"), graceful SIGTERM. */
async function main(): Promise<void> {
  const config = await configOrExit();
  const broker = await createBroker(config);
  const { logger } = broker;
  for (const warning of config.warnings) logger.warn(warning);
  if (config.generated.length > 0) {
    logger.warn(
      { generated: config.generated, data_dir: config.dataDir },
      'development mode: generated missing keys into the data folder (never do this in production)',
    );
  }
  if (config.generated.includes('api_key')) {
    // Development convenience (README, "Quick start"): print the generated key once, to
    // the terminal, not to the structured log.
    process.stderr.write(
      `\nDevelopment API key (also in ${config.dataDir}/dev-api-key):\n  ${config.apiKeys[0]}\n\n`,
    );
  }

  const server = createHttpServer(broker.app, { maxConnections: config.maxConnections });
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info(
      { port, store: broker.store.kind, production: config.production },
      'nerm-connect broker listening',
    );
    // Change syncs and webhook delivery run in every process; leases in the database
    // keep replicas from doing the same work twice (docs/lifecycle-events.md).
    broker.lifecycle.start();
  });

  const housekeeping = setInterval(() => {
    broker.store.purgeExpired(Date.now(), 24 * 3600_000).catch((error: unknown) => {
      logger.warn({ err: (error as Error).message }, 'housekeeping failed');
    });
  }, 10 * 60_000);
  housekeeping.unref();

  // Drain (docs/operations.md, "Start, stop, health"): no new connections, requests in
  // flight finish until the deadline, then are cut; the process exits 0 either way.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.shutdownGraceMs;
    logger.info({ signal, grace_ms: graceMs }, 'shutting down');
    clearInterval(housekeeping);
    const exit = () => process.exit(0);
    server.close(() => {
      broker.close().then(exit, (error: unknown) => {
        logger.warn({ err: (error as Error).message }, 'closing the store failed');
        exit();
      });
    });
    // A keep-alive connection whose request has just finished is idle now: close it too.
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 100).unref();
    setTimeout(() => {
      logger.warn('shutdown deadline reached: cutting the requests still in flight');
      server.closeAllConnections();
      // What is still running (a NERM call, the store) no longer holds the exit.
      setTimeout(exit, CLOSE_AFTER_DEADLINE_MS).unref();
    }, graceMs).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
