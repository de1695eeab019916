import '@nerm-connect/widget/define';
import type { NermConnect } from '@nerm-connect/widget';
import { $, chooseAuth, submitButton, type } from '@nerm-connect/test-kit/browser/element';

export * from '@nerm-connect/test-kit/browser/element';

export interface E2eConfig {
  brokerUrl: string;
  sandboxUrl: string;
  tokenUrl: string;
  apiKey: string;
  restrictedApiKey: string;
  clientId: string;
  clientSecret: string;
}

let config: E2eConfig | undefined;

export async function e2e(): Promise<E2eConfig> {
  config ??= (await (await fetch('/__e2e/config')).json()) as E2eConfig;
  return config;
}

export async function linkToken(body: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch('/__e2e/link-token', { method: 'POST', body: JSON.stringify(body) });
  return ((await res.json()) as { link_token: string }).link_token;
}

export async function exchange(publicToken: string): Promise<{ status: number; body: any }> {
  const res = await fetch('/__e2e/exchange', {
    method: 'POST',
    body: JSON.stringify({ public_token: publicToken }),
  });
  return (await res.json()) as { status: number; body: any };
}

/** Sets the sandbox's faults as a whole (`{}` switches all off). */
export async function faults(plan: Record<string, unknown>): Promise<void> {
  const res = await fetch('/__e2e/faults', { method: 'POST', body: JSON.stringify(plan) });
  if (!res.ok) throw new Error(`the sandbox refused the fault plan (${res.status})`);
}

/** A fresh element in the page, ready (rendered, texts loaded). */
export async function mount(
  attributes: Record<string, string> = {},
  container: HTMLElement = document.body,
): Promise<NermConnect> {
  const el = document.createElement('nerm-connect');
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  container.append(el);
  await el.updateComplete;
  await el.localeReady;
  await el.updateComplete;
  return el;
}

/** A mounted element wired to the real broker with a fresh link token. */
export async function connected(attributes: Record<string, string> = {}): Promise<NermConnect> {
  const { brokerUrl } = await e2e();
  return mount({ 'broker-url': brokerUrl, 'link-token': await linkToken(), ...attributes });
}

/**
 * Presses Connect and waits until the form has been checked (the element loads its error
 * texts with the first submit); a valid form's request is then under way.
 */
export async function submit(el: NermConnect): Promise<void> {
  const checked = next(el, 'nerm-connect-event');
  submitButton(el).click();
  await checked;
  await el.updateComplete;
}

/** Resolves with the next event of `name` from `target`. */
export function next<E extends Event = CustomEvent>(
  target: EventTarget,
  name: string,
  timeoutMs = 25_000,
): Promise<E> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${name} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    target.addEventListener(
      name,
      (event) => {
        clearTimeout(timer);
        resolve(event as E);
      },
      { once: true },
    );
  });
}

export async function until(predicate: () => boolean, timeoutMs = 25_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Polls an asynchronous condition until it holds (a guard, never a timing check). On a
 * timeout, `describe` says what was seen instead, for the next look at a failure.
 */
export async function eventually(
  predicate: () => Promise<boolean>,
  timeoutMs = 25_000,
  describe?: () => Promise<string>,
): Promise<void> {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`condition not met in time${describe ? `: ${await describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether the broker still accepts this link token (GET /link/session). */
export async function linkAlive(token: string): Promise<boolean> {
  const { brokerUrl } = await e2e();
  const res = await fetch(`${brokerUrl}/link/session`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return res.status === 200;
}

/**
 * How many NERM API requests (`/api`) the sandbox has received so far. Not its `total`:
 * that counts every request, this very stats call included, so "more than before" held
 * at the first look whether or not the broker had called NERM.
 */
export async function sandboxRequests(): Promise<number> {
  const res = await fetch('/__e2e/sandbox-stats');
  return ((await res.json()) as { api: number }).api;
}

/** The sandbox's request counters as text (for a failure's message). */
export async function sandboxStatsText(): Promise<string> {
  return JSON.stringify(await (await fetch('/__e2e/sandbox-stats')).json());
}

/** Fills a valid API-key connection to the sandbox. */
export async function fillApiKey(
  el: NermConnect,
  apiKey?: string,
  tenantUrl?: string,
): Promise<void> {
  const cfg = await e2e();
  await type(el, 'tenant-url', tenantUrl ?? cfg.sandboxUrl);
  await chooseAuth(el, 'api_key');
  await type(el, 'api-key', apiKey ?? cfg.apiKey);
}

export async function fillPat(
  el: NermConnect,
  overrides: { clientSecret?: string; tokenUrl?: string } = {},
): Promise<void> {
  const cfg = await e2e();
  await type(el, 'tenant-url', cfg.sandboxUrl);
  await type(el, 'client-id', cfg.clientId);
  await type(el, 'client-secret', overrides.clientSecret ?? cfg.clientSecret);
  $(el, 'details')!.setAttribute('open', '');
  await type(el, 'token-url', overrides.tokenUrl ?? cfg.tokenUrl);
}
