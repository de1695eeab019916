// The widget's end-to-end suite: <nerm-connect> in real Chromium against the real broker
// and NERM sandbox, both started as processes by the test kit (as `pnpm broker` and
// `pnpm sandbox`). The page's backend is played by the /__e2e/* endpoints below.
// Run through run-widget-e2e.ts, which finds Chromium and builds the bundle first.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { build as esbuild } from 'esbuild';
import { register } from 'tsx/esm/api';

register();
const { chromiumLaunchOptions, freePort, startStack } = await import('@nerm-connect/test-kit');

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const here = new URL('.', import.meta.url).pathname;

/** The real stack the tests talk to, and what the page's backend would know of it. */
async function startE2eStack() {
  const stack = await startStack({
    sandbox: { persons: 120 },
    broker: {
      env: (sandbox) => ({
        // The test server itself (a web site, not NERM) and a port nothing listens on are
        // allowed too, so the tests meet not_a_nerm_tenant and tenant_unreachable.
        NERM_BROKER_ALLOWED_HOSTS: `${sandbox.url},${origin},http://127.0.0.1:9,*.nonemployee.com`,
        NERM_BROKER_ALLOWED_ORIGINS: origin,
        // Every test browses from 127.0.0.1: the per-IP limit would throttle the suite
        // itself; the per-link limit is low so rate_limited is reached in a few attempts.
        NERM_BROKER_LINK_RATE_LIMIT_PER_IP: '100000',
        NERM_BROKER_LINK_RATE_LIMIT_PER_TOKEN: '4',
        // The suites share one sandbox origin and some make it fail on purpose: the
        // per-origin breaker (tested in the broker's own suite) would then refuse the next
        // files' connects for its cooldown.
        NERM_BROKER_BREAKER_FAILURES: '1000',
      }),
    },
  });
  // The restricted (non-admin) key is not on the sandbox's ready line; its backend door has it.
  const credentials = await (await fetch(`${stack.sandbox.url}/__sandbox/credentials`)).json();
  return { ...stack, restrictedApiKey: credentials.restricted.api_key };
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
        tokenUrl: sandbox.token_url,
        apiKey: sandbox.api_key,
        restrictedApiKey: stack.restrictedApiKey,
        clientId: sandbox.client_id,
        clientSecret: sandbox.client_secret,
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
    } else if (ctx.path === '/__e2e/sandbox-stats') {
      ctx.body = await (await fetch(`${sandbox.url}/__sandbox/stats`)).json();
    } else if (ctx.path === '/__e2e/faults') {
      const res = await fetch(`${sandbox.url}/__sandbox/faults`, {
        method: 'PUT',
        body: JSON.stringify(await readJson(ctx)),
      });
      ctx.status = res.status === 204 ? 200 : 500;
      ctx.body = { ok: res.status === 204 };
    } else {
      ctx.status = 404;
      ctx.body = { error: 'unknown test endpoint' };
    }
  };
}

/**
 * React ships CommonJS only: bundle it once into ES modules for the browser, and point
 * the bare imports of the React test (and of the wrapper) at them.
 */
function reactAsEsm() {
  const modules = ['react', 'react-dom', 'react-dom/client'];
  const id = (spec) => spec.replace(/\W/g, '_');
  let bundle;
  return {
    name: 'react-as-esm',
    async serverStart() {
      const result = await esbuild({
        stdin: {
          contents: modules.map((spec) => `export * as ${id(spec)} from '${spec}';`).join('\n'),
          resolveDir: here,
        },
        bundle: true,
        format: 'esm',
        write: false,
        define: { 'process.env.NODE_ENV': '"production"' },
      });
      bundle = result.outputFiles[0].text;
    },
    resolveImport({ source }) {
      return modules.includes(source) ? `/__react/${id(source)}.js` : undefined;
    },
    serve(ctx) {
      if (ctx.path === '/__react/all.js') return { body: bundle, type: 'js' };
      const name = /^\/__react\/(\w+)\.js$/.exec(ctx.path)?.[1];
      if (name)
        return {
          body: `import { ${name} as m } from '/__react/all.js';\nexport default m.default ?? m;`,
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
    if (ctx.path.startsWith('/widget/fixtures/csp')) {
      ctx.set(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' http://127.0.0.1:*; report-uri /__e2e/csp-report",
      );
    }
  };
}

export default {
  files: ['widget/**/*.e2e.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  port,
  hostname: '127.0.0.1',
  concurrency: 1,
  // A whole connect through two processes on a loaded machine; never a timing check.
  testFramework: {
    config: { timeout: 30_000, ...(process.env.WTR_GREP ? { grep: process.env.WTR_GREP } : {}) },
  },
  browserStartTimeout: 120_000,
  testsStartTimeout: 180_000,
  testsFinishTimeout: 600_000,
  browsers: [chromeLauncher({ launchOptions: chromiumLaunchOptions() })],
  middleware: [e2eEndpoints(), strictCsp()],
  plugins: [
    reactAsEsm(),
    esbuildPlugin({ ts: true, tsconfig: `${here}tsconfig.json`, target: 'es2022' }),
    {
      name: 'e2e-stack',
      async serverStart() {
        stack = await startE2eStack();
      },
      async serverStop() {
        await stack?.close();
      },
    },
  ],
};
