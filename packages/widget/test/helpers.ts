import '../src/define.ts';
import type { NermConnect } from '../src/nerm-connect.ts';
import { FakeTransport } from './fake-transport.ts';
import { loadEnglishErrors } from '../src/i18n/locales.ts';
import { loadOnDemand } from '../src/load-on-demand.ts';
import { $, chooseAuth, submitButton, type } from '@nerm-connect/test-kit/browser/element';

export * from '@nerm-connect/test-kit/browser/element';

// What the element loads on first submit, loaded once up front: a test's settle() then
// never races the dev server's first compile of those modules.
await Promise.all([loadEnglishErrors(), loadOnDemand(), import('../src/developer-warnings.ts')]);

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

export async function submit(el: NermConnect): Promise<void> {
  submitButton(el).click();
  await settle(el);
}

/** Lets every pending task, locale chunk and render finish. */
export async function settle(el: NermConnect): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await el.updateComplete;
    await el.localeReady;
    await new Promise((r) => setTimeout(r));
  }
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
