import { expect } from '@esm-bundle/chai';
import { $, cleanup, input, mount, settle, submit, submitButton, text } from './helpers.ts';

afterEach(cleanup);

const labelOf = (el: Element, id: string) =>
  text(el.shadowRoot!.querySelector(`label[for="${id}"]`));

function host(attributes: Record<string, string>): HTMLElement {
  const div = document.createElement('div');
  for (const [k, v] of Object.entries(attributes)) div.setAttribute(k, v);
  div.dataset.fixture = '';
  document.body.append(div);
  return div;
}

describe('layout', () => {
  it('keeps every input inside the form, the advanced token URL included', async () => {
    const { el } = await mount();
    $(el, 'details')!.setAttribute('open', '');
    await el.updateComplete;
    const form = $(el, 'form')!.getBoundingClientRect();
    for (const id of ['tenant-url', 'client-id', 'token-url']) {
      const box = input(el, id).getBoundingClientRect();
      expect(box.right, id).to.be.at.most(form.right + 0.5);
    }
  });
});

describe('languages', () => {
  for (const [locale, label, button] of [
    ['de', 'NERM-Mandanten-URL', 'Verbinden'],
    ['fr', 'URL du tenant NERM', 'Connecter'],
    ['es', 'URL del tenant de NERM', 'Conectar'],
    ['ja', 'NERM テナント URL', '接続'],
    ['ar', 'عنوان URL لمستأجر NERM', 'ربط'],
  ] as const) {
    it(`speaks ${locale}`, async () => {
      const { el } = await mount({ locale });
      expect(labelOf(el, 'tenant-url')).to.equal(label);
      expect(text(submitButton(el))).to.equal(button);
      expect($(el, 'section')!.getAttribute('lang')).to.equal(locale);
    });
  }

  it('takes region subtags and falls back to English for the rest', async () => {
    expect(labelOf((await mount({ locale: 'de-CH' })).el, 'tenant-url')).to.equal(
      'NERM-Mandanten-URL',
    );
    expect(labelOf((await mount({ locale: 'pt-BR' })).el, 'tenant-url')).to.equal(
      'NERM tenant URL',
    );
  });

  it('follows the page language when no locale is set', async () => {
    const { el } = await mount({}, { container: host({ lang: 'fr' }) });
    expect(labelOf(el, 'tenant-url')).to.equal('URL du tenant NERM');
  });

  it('switches language when locale changes', async () => {
    const { el } = await mount({ locale: 'en' });
    el.locale = 'es';
    await settle(el);
    expect(labelOf(el, 'tenant-url')).to.equal('URL del tenant de NERM');
  });

  it('lets the page override any text, errors included', async () => {
    const { el } = await mount();
    el.strings = { submit: 'Link NERM', title: 'Bring your contractors', required: 'Needed' };
    await el.updateComplete;
    expect(text(submitButton(el))).to.equal('Link NERM');
    expect(text($(el, 'h2'))).to.equal('Bring your contractors');
    await submit(el);
    expect(text(el.shadowRoot!.getElementById('tenant-url-error'))).to.equal('Needed');
  });

  it('sets dir with lang: Arabic lays out right to left, mirrored', async () => {
    const { el } = await mount({ locale: 'ar' }, { container: host({ style: 'width: 480px' }) });
    expect($(el, 'section')!.getAttribute('dir')).to.equal('rtl');
    expect(getComputedStyle(input(el, 'client-secret')).direction).to.equal('rtl');
    const secret = input(el, 'client-secret').getBoundingClientRect();
    const reveal = $(el, 'button.reveal')!.getBoundingClientRect();
    expect(reveal.right).to.be.at.most(secret.left + 1);
    const label = $(el, 'label[for="tenant-url"]')!.getBoundingClientRect();
    const field = input(el, 'tenant-url').getBoundingClientRect();
    expect(Math.abs(label.right - field.right)).to.be.below(2);
  });

  it('keeps English text left to right on a right-to-left page, so its punctuation stays put', async () => {
    const { el } = await mount({ locale: 'en' }, { container: host({ dir: 'rtl' }) });
    expect($(el, 'section')!.getAttribute('dir')).to.equal('ltr');
    expect(getComputedStyle(input(el, 'tenant-url')).direction).to.equal('ltr');
  });
});
