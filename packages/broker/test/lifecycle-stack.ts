import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { startStack, type Stack } from './helpers.ts';
import { startReadmeReceiver, type ReadmeReceiver } from './readme-receiver.ts';

/** A sandbox, the README's webhook receiver and a broker delivering lifecycle events to it. */
export interface LifecycleStack {
  sandbox: Sandbox;
  receiver: ReadmeReceiver;
  stack: Stack;
  /** Closes the broker, the receiver and the sandbox. */
  close(): Promise<void>;
}

/**
 * A broker on `databaseUrl` (SQLite when absent) over a sandbox of `persons`, delivering
 * its lifecycle events signed with `secret` to a README receiver; it syncs only when asked.
 */
export async function startLifecycleStack(options: {
  persons: number;
  secret: string;
  databaseUrl: string | undefined;
  env?: Record<string, string>;
}): Promise<LifecycleStack> {
  const { secret, databaseUrl } = options;
  const sandbox = await startSandbox({ persons: options.persons });
  const receiver = await startReadmeReceiver(secret);
  const close = async (stack?: Stack) => {
    await stack?.close();
    await receiver.close();
    await sandbox.close();
  };
  try {
    const stack = await startStack({
      sandbox,
      ...(databaseUrl ? { databaseUrl } : {}),
      env: {
        NERM_BROKER_ALLOWED_HOSTS: `${sandbox.url},${receiver.url}`,
        NERM_BROKER_WEBHOOK_URL: `${receiver.url}/webhooks/nerm-connect`,
        NERM_BROKER_WEBHOOK_SECRET: secret,
        NERM_BROKER_SYNC_INTERVAL: '0',
        ...options.env,
      },
    });
    stack.broker.lifecycle.start();
    return { sandbox, receiver, stack, close: () => close(stack) };
  } catch (error) {
    await close();
    throw error;
  }
}
