import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';

// The sandbox's own tests call it over HTTP as a NERM client would.

/** A NERM API call with the legacy key (or `auth`, or none when `auth` is null). */
export async function sandboxCall(
  sandbox: Sandbox,
  path: string,
  init: RequestInit & { auth?: string | null } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const { auth, ...rest } = init;
  const headers = new Headers(rest.headers);
  const credential = auth === undefined ? sandbox.credentials.apiKey : auth;
  if (credential !== null) headers.set('authorization', `Bearer ${credential}`);
  if (rest.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const res = await fetch(`${sandbox.url}${path}`, { ...rest, headers });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body };
}

/** The client-credentials grant at the sandbox's token URL. */
export async function accessToken(
  sandbox: Sandbox,
  clientId: string,
  clientSecret: string,
): Promise<{ status: number; body: any }> {
  const res = await fetch(sandbox.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** One sandbox for a test file, handed to `use` once started; faults and counters reset per test. */
export function useSandbox(use: (sandbox: Sandbox) => void): void {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
    use(sandbox);
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(() => {
    sandbox.faults.set({});
    sandbox.stats.reset();
  });
}
