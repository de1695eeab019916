import '../src/define.ts';
import type { NermConnect } from '../src/nerm-connect.ts';
import { FakeTransport } from './fake-transport.ts';
import { loadEnglishErrors } from '../src/i18n/locales.ts';

// What the element loads on first submit, loaded once up front: a test's settle() then
// never races the dev server's first compile of those modules.
await Promise.all([
  loadEnglishErrors(),
  import('../src/credential-check.ts'),
  import('../src/developer-warnings.ts'),
]);

/** A fresh element in the page on a fake transport, ready (rendered, texts loaded). */
export async function mount(
  attributes: Record<string, string> = {},
  options: { transport?: FakeTransport; container?: HTMLElement } = {},
): Promise<{ el: NermConnect; transport: FakeTransport }> {
  const transport = options.transport ?? new FakeTransport();
  const el = document.createElement('nerm-connect');
  el.transport = transport;
  for (const [name, value] of Object.entries({
    'broker-url': 'https://broker.test',
    'link-token': 'lt_test',
    ...attributes,
  }))
    el.setAttribute(name, value);
  (options.container ?? document.body).append(el);
  await settle(el);
  return { el, transport };
}

/** Lets every pending task, locale chunk and render finish. */
export async function settle(el: NermConnect): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await el.updateComplete;
    await el.localeReady;
    await new Promise((r) => setTimeout(r));
  }
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

export async function chooseAuth(el: NermConnect, kind: 'pat' | 'api_key'): Promise<void> {
  el.shadowRoot!.querySelector<HTMLInputElement>(`input[type=radio][value="${kind}"]`)!.click();
  await el.updateComplete;
}

export function submitButton(el: NermConnect): HTMLButtonElement {
  return el.shadowRoot!.querySelector<HTMLButtonElement>('button[type=submit]')!;
}

export async function submit(el: NermConnect): Promise<void> {
  submitButton(el).click();
  await settle(el);
}

export function errorFor(el: NermConnect, id: string): string | undefined {
  return el.shadowRoot!.getElementById(`${id}-error`)?.textContent?.replace(/\s+/g, ' ').trim();
}

export function text(node: Element | null): string {
  return node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

export async function fillApiKey(el: NermConnect, apiKey = 'nerm_key_1234'): Promise<void> {
  await type(el, 'tenant-url', 'acme');
  await chooseAuth(el, 'api_key');
  await type(el, 'api-key', apiKey);
}

export async function fillPat(el: NermConnect, tokenUrl = ''): Promise<void> {
  await type(el, 'tenant-url', 'acme');
  await type(el, 'client-id', 'client-1');
  await type(el, 'client-secret', 'secret-1');
  if (tokenUrl) {
    $(el, 'details')!.setAttribute('open', '');
    await type(el, 'token-url', tokenUrl);
  }
}

/** Records every event of `name` from `target`. */
export function record<E extends Event = CustomEvent>(target: EventTarget, name: string): E[] {
  const seen: E[] = [];
  target.addEventListener(name, (e) => seen.push(e as E));
  return seen;
}
