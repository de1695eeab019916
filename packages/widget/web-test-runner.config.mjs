// Browser tests in real Chromium (Debian's /usr/bin/chromium, or CHROME_PATH), against
// a real broker and NERM sandbox started here, in this process, for the end-to-end tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { fromRollup } from '@web/dev-server-rollup';
import { chromeLauncher } from '@web/test-runner-chrome';
import rollupCommonjs from '@rollup/plugin-commonjs';
import { register } from 'tsx/esm/api';

register();
const { startSandbox } = await import('@nerm-connect/nerm-sandbox');
const { createBroker, loadConfig, createLogger } = await import('@nerm-connect/broker');

const port = Number(process.env.NERM_CONNECT_WTR_PORT ?? 8765);
const origin = `http://127.0.0.1:${port}`;

/** The real stack the end-to-end tests talk to. */
async function startStack() {
  const sandbox = await startSandbox({ persons: 120 });
  const signingKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const dir = mkdtempSync(join(tmpdir(), 'nerm-widget-'));
  const apiKey = `nbk_${randomBytes(18).toString('base64url')}`;
  const config = await loadConfig({
    NODE_ENV: 'test',
    NERM_BROKER_API_KEYS: apiKey,
    NERM_BROKER_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    NERM_BROKER_SIGNING_KEYS: JSON.stringify([{ ...signingKey, kid: 'w1', alg: 'EdDSA' }]),
    NERM_BROKER_ALLOWED_HOSTS: `${sandbox.url},*.nonemployee.com`,
    NERM_BROKER_ALLOWED_ORIGINS: origin,
    NERM_BROKER_DATABASE_URL: `sqlite:${join(dir, 'broker.db')}`,
    NERM_BROKER_DATA_DIR: dir,
  });
  const broker = await createBroker(config, {
    logger: createLogger({ level: 'silent' }),
    limits: { connectPerLinkToken: { limit: 4, windowMs: 60_000 } },
    retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 0, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
  });
  const server = broker.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const brokerUrl = `http://127.0.0.1:${server.address().port}`;
  return { sandbox, broker, server, brokerUrl, apiKey };
}

let stack;

async function readJson(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

/** Test-only endpoints on the test server: what a SaaS backend would do for the page. */
function e2eEndpoints() {
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/__e2e/')) return next();
    const { sandbox, brokerUrl, apiKey } = stack;
    const call = (path, body) =>
      fetch(`${brokerUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    ctx.type = 'application/json';
    if (ctx.path === '/__e2e/config') {
      ctx.body = {
        brokerUrl,
        sandboxUrl: sandbox.url,
        tokenUrl: sandbox.tokenUrl,
        apiKey: sandbox.credentials.apiKey,
        restrictedApiKey: sandbox.credentials.restrictedApiKey,
        clientId: sandbox.credentials.client.clientId,
        clientSecret: sandbox.credentials.client.clientSecret,
      };
    } else if (ctx.path === '/__e2e/link-token') {
      ctx.body = (await call('/link-tokens', { tenant_id: 'widget-tests', ...(await readJson(ctx)) })).body;
    } else if (ctx.path === '/__e2e/exchange') {
      ctx.body = await call('/tokens/exchange', await readJson(ctx));
    } else if (ctx.path === '/__e2e/faults') {
      sandbox.faults.set(await readJson(ctx));
      ctx.body = { ok: true };
    } else {
      ctx.status = 404;
      ctx.body = { error: 'unknown test endpoint' };
    }
  };
}

/** The strict-CSP fixture is served exactly as a careful host page would serve it. */
function strictCsp() {
  return async (ctx, next) => {
    await next();
    if (ctx.path.startsWith('/test/fixtures/csp')) {
      ctx.set('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' http://127.0.0.1:*");
    }
  };
}

export default {
  files: ['test/**/*.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  port,
  hostname: '127.0.0.1',
  concurrency: 1,
  testFramework: { config: { timeout: 15000 } },
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
      },
    }),
  ],
  middleware: [e2eEndpoints(), strictCsp()],
  plugins: [
    fromRollup(rollupCommonjs)({ include: ['**/node_modules/**/react/**', '**/node_modules/**/react-dom/**', '**/node_modules/**/scheduler/**'] }),
    esbuildPlugin({ ts: true, tsconfig: new URL('./tsconfig.json', import.meta.url).pathname, target: 'es2022' }),
    {
      name: 'e2e-stack',
      async serverStart() {
        stack = await startStack();
      },
      async serverStop() {
        stack?.server.closeAllConnections();
        await new Promise((r) => stack?.server.close(r));
        await stack?.broker.close();
        await stack?.sandbox.close();
      },
    },
  ],
};
