import '../src/define.ts';
import type { NermConnect } from '../src/nerm-connect.ts';

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

export async function faults(plan: Record<string, unknown>): Promise<void> {
  await fetch('/__e2e/faults', { method: 'POST', body: JSON.stringify(plan) });
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

export function cleanup(): void {
  for (const el of document.querySelectorAll('nerm-connect, [data-fixture]')) el.remove();
}

export function $(el: NermConnect, selector: string): HTMLElement | null {
  return el.shadowRoot!.querySelector<HTMLElement>(selector);
}

export function input(el: NermConnect, id: string): HTMLInputElement {
  const found = el.shadowRoot!.getElementById(id) as HTMLInputElement | null;
  if (!found) throw new Error(`no field #${id}`);
  return found;
}

/** Types into a field the way a user does: value, then an input event. */
export async function type(el: NermConnect, id: string, value: string): Promise<void> {
  const field = input(el, id);
  field.value = value;
  field.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await el.updateComplete;
}

export async function chooseAuth(el: NermConnect, type: 'pat' | 'api_key'): Promise<void> {
  const radio = el.shadowRoot!.querySelector<HTMLInputElement>(
    `input[type=radio][value="${type}"]`,
  )!;
  radio.click();
  await el.updateComplete;
}

export function submitButton(el: NermConnect): HTMLButtonElement {
  return el.shadowRoot!.querySelector<HTMLButtonElement>('button[type=submit]')!;
}

export async function submit(el: NermConnect): Promise<void> {
  submitButton(el).click();
  await el.updateComplete;
}

/** Resolves with the next event of `name` from `target`. */
export function next<E extends Event = CustomEvent>(
  target: EventTarget,
  name: string,
  timeoutMs = 10_000,
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

export async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The element's text errors for a field (what aria-describedby points at). */
export function errorFor(el: NermConnect, id: string): string | undefined {
  return el.shadowRoot!.getElementById(`${id}-error`)?.textContent?.trim();
}

/** Everything the user can read, shadow DOM included. */
export function visibleText(el: NermConnect): string {
  return el.shadowRoot!.textContent?.replace(/\s+/g, ' ').trim() ?? '';
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
