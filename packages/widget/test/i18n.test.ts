import { expect } from '@esm-bundle/chai';
import { $, cleanup, input, mount, submit, submitButton, visibleText } from './helpers.ts';

afterEach(cleanup);

const labelOf = (el: Element, id: string) =>
  el.shadowRoot!.querySelector(`label[for="${id}"]`)?.textContent?.trim();

describe('layout', () => {
  it('keeps every input inside the form, the advanced token URL included', async () => {
    const el = await mount();
    $(el, 'details')!.setAttribute('open', '');
    await el.updateComplete;
    const form = $(el, 'form')!.getBoundingClientRect();
    for (const id of ['tenant-url', 'client-id', 'token-url']) {
      const box = input(el, id).getBoundingClientRect();
      expect(box.right, id).to.be.at.most(form.right + 0.5);
      expect(Math.round(box.width), id).to.equal(Math.round(form.width));
    }
  });
});

describe('languages', () => {
  for (const [locale, label, button] of [
    ['de', 'NERM-Mandanten-URL', 'Verbinden'],
    ['fr', 'URL du tenant NERM', 'Connecter'],
    ['es', 'URL del tenant de NERM', 'Conectar'],
    ['ja', 'NERM テナント URL', '接続'],
  ] as const) {
    it(`speaks ${locale}`, async () => {
      const el = await mount({ locale });
      expect(labelOf(el, 'tenant-url')).to.equal(label);
      expect(submitButton(el).textContent?.trim()).to.equal(button);
      expect($(el, 'section')!.getAttribute('lang')).to.equal(locale);
    });
  }

  it('takes region subtags and falls back to English for the rest', async () => {
    expect(labelOf(await mount({ locale: 'de-CH' }), 'tenant-url')).to.equal('NERM-Mandanten-URL');
    expect(labelOf(await mount({ locale: 'pt-BR' }), 'tenant-url')).to.equal('NERM tenant URL');
  });

  it('follows the page language when no locale is set', async () => {
    const host = document.createElement('div');
    host.lang = 'fr';
    host.dataset.fixture = '';
    document.body.append(host);
    const el = await mount({}, host);
    expect(labelOf(el, 'tenant-url')).to.equal('URL du tenant NERM');
  });

  it('switches language when locale changes', async () => {
    const el = await mount({ locale: 'en' });
    el.locale = 'es';
    await el.updateComplete;
    await el.localeReady;
    await el.updateComplete;
    expect(labelOf(el, 'tenant-url')).to.equal('URL del tenant de NERM');
  });

  it('lets the page override any text, errors included', async () => {
    const el = await mount();
    el.strings = {
      submit: 'Link NERM',
      title: 'Bring your contractors',
      errors: { invalid_credentials: 'Nope.' },
    };
    await el.updateComplete;
    expect(submitButton(el).textContent?.trim()).to.equal('Link NERM');
    expect(visibleText(el)).to.contain('Bring your contractors');
    await submit(el);
    expect(el.shadowRoot!.getElementById('tenant-url-error')?.textContent).to.equal('Required');
  });

  it('lays out right to left under dir="rtl"', async () => {
    const host = document.createElement('div');
    host.dir = 'rtl';
    host.dataset.fixture = '';
    host.style.width = '480px';
    document.body.append(host);
    const el = await mount({ locale: 'en' }, host);
    const secret = input(el, 'client-secret').getBoundingClientRect();
    const reveal = $(el, 'button.reveal')!.getBoundingClientRect();
    expect(getComputedStyle(input(el, 'client-secret')).direction).to.equal('rtl');
    expect(reveal.right).to.be.at.most(secret.left + 1);
    const label = $(el, 'label[for="tenant-url"]')!.getBoundingClientRect();
    const field = input(el, 'tenant-url').getBoundingClientRect();
    expect(Math.abs(label.right - field.right)).to.be.below(2);

    host.dir = 'ltr';
    await el.updateComplete;
    const ltrReveal = $(el, 'button.reveal')!.getBoundingClientRect();
    expect(ltrReveal.left).to.be.at.least(
      input(el, 'client-secret').getBoundingClientRect().right - 1,
    );
  });
});
