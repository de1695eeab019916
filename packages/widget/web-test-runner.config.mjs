// Browser tests in real Chromium (Debian's /usr/bin/chromium, or CHROME_PATH), against
// a real broker and NERM sandbox started here, in this process, for the end-to-end tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { build as esbuild } from 'esbuild';
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
    // The test server itself (a web site, not NERM) and a port nothing listens on are
    // allowed too, so the tests can meet not_a_nerm_tenant and tenant_unreachable.
    NERM_BROKER_ALLOWED_HOSTS: `${sandbox.url},${origin},http://127.0.0.1:9,*.nonemployee.com`,
    NERM_BROKER_ALLOWED_ORIGINS: origin,
    NERM_BROKER_DATABASE_URL: `sqlite:${join(dir, 'broker.db')}`,
    NERM_BROKER_DATA_DIR: dir,
  });
  const broker = await createBroker(config, {
    logger: createLogger({ level: 'silent' }),
    // Tests never resolve real names (tenants here are loopback origins).
    resolve: async (host) => {
      throw Object.assign(new Error(`tests do not resolve ${host}`), { code: 'ENOTFOUND' });
    },
    // Every test browses from 127.0.0.1: the per-IP limit would throttle the suite itself.
    limits: {
      connectPerLinkToken: { limit: 4, windowMs: 60_000 },
      connectPerIp: { limit: 100_000, windowMs: 60_000 },
    },
    retry: {
      retries: 1,
      baseDelayMs: 5,
      maxDelayMs: 20,
      maxRetryAfterMs: 0,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    },
  });
  const server = broker.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const brokerUrl = `http://127.0.0.1:${server.address().port}`;
  return { sandbox, broker, server, brokerUrl, apiKey };
}

let stack;
/** Violation reports the strict-CSP fixture's browser sent (report-uri). */
const cspReports = [];

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
      ctx.body = (
        await call('/link-tokens', { tenant_id: 'widget-tests', ...(await readJson(ctx)) })
      ).body;
    } else if (ctx.path === '/__e2e/exchange') {
      ctx.body = await call('/tokens/exchange', await readJson(ctx));
    } else if (ctx.path === '/__e2e/csp-report') {
      cspReports.push(await readJson(ctx));
      ctx.status = 204;
    } else if (ctx.path === '/__e2e/csp-reports') {
      ctx.body = cspReports.splice(0);
    } else if (ctx.path === '/__e2e/faults') {
      sandbox.faults.set(await readJson(ctx));
      ctx.body = { ok: true };
    } else {
      ctx.status = 404;
      ctx.body = { error: 'unknown test endpoint' };
    }
  };
}

/**
 * React ships CommonJS only: bundle it once into ES modules for the browser, and point
 * the bare imports of the React test at them.
 */
function reactAsEsm() {
  const modules = {
    react: 'react',
    'react-dom': 'react-dom',
    'react-dom/client': 'react-dom/client',
  };
  let bundle;
  return {
    name: 'react-as-esm',
    async serverStart() {
      const entries = Object.entries(modules).map(([name, spec]) => [
        name.replace(/\W/g, '_'),
        spec,
      ]);
      const result = await esbuild({
        stdin: {
          contents: entries.map(([id, spec]) => `export * as ${id} from '${spec}';`).join('\n'),
          resolveDir: process.cwd(),
        },
        bundle: true,
        format: 'esm',
        write: false,
        define: { 'process.env.NODE_ENV': '"production"' },
      });
      bundle = result.outputFiles[0].text;
    },
    resolveImport({ source }) {
      if (source in modules) return `/__react/${source.replace(/\W/g, '_')}.js`;
      return undefined;
    },
    serve(ctx) {
      if (ctx.path === '/__react/all.js') return { body: bundle, type: 'js' };
      const id = /^\/__react\/(\w+)\.js$/.exec(ctx.path)?.[1];
      if (id)
        return {
          body: `import { ${id} as m } from '/__react/all.js';\nexport default m.default ?? m;`,
          type: 'js',
        };
      return undefined;
    },
  };
}

/** The strict-CSP fixture is served exactly as a careful host page would serve it. */
function strictCsp() {
  return async (ctx, next) => {
    await next();
    if (ctx.path.startsWith('/test/fixtures/csp')) {
      ctx.set(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' http://127.0.0.1:*; report-uri /__e2e/csp-report",
      );
    }
  };
}

export default {
  files: ['test/**/*.test.ts', '!test/**/*.unit.test.ts'],
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
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          '--disable-dev-shm-usage',
        ],
      },
    }),
  ],
  middleware: [e2eEndpoints(), strictCsp()],
  plugins: [
    reactAsEsm(),
    esbuildPlugin({
      ts: true,
      tsconfig: new URL('./tsconfig.json', import.meta.url).pathname,
      target: 'es2022',
    }),
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
