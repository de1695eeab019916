/**
 * The two services behind the demo page, started by the test kit as child processes
 * exactly as an operator would start them: the NERM sandbox (`pnpm sandbox`) and the
 * broker (`pnpm broker`, configured by its environment). Here: what the demo asks of them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, portOrAny, startStack, type Stack } from '@nerm-connect/test-kit';

export { portOrAny };
export type { SandboxInfo } from '@nerm-connect/test-kit';

export interface DemoStackOptions {
  dataDir: string;
  /** The demo page's own origin: the broker's CORS list and webhook receiver. */
  pageOrigins: readonly string[];
  webhookUrl: string;
  /** The SaaS's logo, for the broker's hosted connect page. */
  logoUrl: string;
  secrets: StableSecrets;
  sandboxPort: number;
  brokerPort: number;
  /** Where the children's output goes (the CLI: a log file; tests: nowhere). */
  log?: NodeJS.WritableStream;
  progress: (line: string) => void;
}

/** Sandbox credentials and the webhook secret stay the same across restarts. */
export interface StableSecrets {
  apiKey: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
}

export function stableSecrets(dataDir: string): StableSecrets {
  const file = join(dataDir, 'sandbox-credentials.json');
  const saved = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)
    : {};
  const secrets = {
    apiKey: saved.apiKey ?? `nerm_demo_${randomBytes(12).toString('hex')}`,
    clientId: saved.clientId ?? `demo${randomBytes(8).toString('hex')}`,
    clientSecret: saved.clientSecret ?? randomBytes(24).toString('base64url'),
    webhookSecret: saved.webhookSecret ?? `whsec_${randomBytes(32).toString('base64')}`,
  };
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

export async function startDemoStack(options: DemoStackOptions): Promise<Stack> {
  const { secrets } = options;
  const receiver = new URL(options.webhookUrl).origin;
  // A known port, so the broker can name its own address (hosted links, sync hooks).
  const brokerPort = (await portOrAny(options.brokerPort)) || (await freePort());
  return startStack({
    sandbox: {
      port: await portOrAny(options.sandboxPort),
      persons: 1500,
      apiKey: secrets.apiKey,
      clientId: secrets.clientId,
      clientSecret: secrets.clientSecret,
    },
    broker: {
      port: brokerPort,
      apiKey: `nbk_demo_${randomBytes(18).toString('base64url')}`,
      env: (sandbox) => ({
        NERM_BROKER_ALLOWED_HOSTS: [
          sandbox.url,
          receiver,
          '*.nonemployee.com',
          '*.mynonemployee.com',
          '*.seczetta.com',
          '*.api.identitynow.com',
        ].join(','),
        NERM_BROKER_ALLOWED_ORIGINS: options.pageOrigins.join(','),
        NERM_BROKER_WEBHOOK_URL: options.webhookUrl,
        NERM_BROKER_WEBHOOK_SECRET: secrets.webhookSecret,
        NERM_BROKER_PUBLIC_URL: `http://127.0.0.1:${brokerPort}`,
        NERM_BROKER_APP_NAME: 'Shiftboard',
        NERM_BROKER_APP_LOGO_URL: options.logoUrl,
      }),
    },
    dataDir: options.dataDir,
    ...(options.log ? { log: options.log } : {}),
    progress: options.progress,
  });
}
