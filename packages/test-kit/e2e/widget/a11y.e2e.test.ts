import { expect } from '@esm-bundle/chai';
import { runAxe } from '@nerm-connect/test-kit/browser/axe';
import { $, cleanup, connected, faults, fillApiKey, next, submit } from './helpers.ts';

afterEach(async () => {
  cleanup();
  await faults({});
});

describe('accessibility', () => {
  it('runs a real audit (it flags an unlabeled input)', async () => {
    const bad = document.createElement('div');
    bad.dataset.fixture = '';
    bad.innerHTML = '<input type="text"><button></button>';
    document.body.append(bad);
    const violations = await runAxe(bad);
    expect(violations.some((v) => v.startsWith('label:'))).to.equal(true);
    expect(violations.some((v) => v.startsWith('button-name:'))).to.equal(true);
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`has no axe violations in the ${theme} theme: form, errors and success`, async () => {
      document.body.style.background = theme === 'dark' ? '#0d1117' : '#ffffff';
      const el = await connected({ theme });
      expect(await runAxe(el), 'form').to.deep.equal([]);

      await submit(el);
      await el.updateComplete;
      expect(await runAxe(el), 'validation errors').to.deep.equal([]);

      await fillApiKey(el, 'nerm_wrong_key');
      const error = next(el, 'nerm-connect-error');
      await submit(el);
      await error;
      await el.updateComplete;
      expect(await runAxe(el), 'broker error').to.deep.equal([]);

      await fillApiKey(el);
      const success = next(el, 'nerm-connect-success');
      await submit(el);
      await success;
      await el.updateComplete;
      expect(await runAxe(el), 'success').to.deep.equal([]);
      document.body.style.background = '';
    });
  }

  it('announces progress and outcomes in a polite live region', async () => {
    await faults({ latencyMs: 300 });
    const el = await connected();
    const live = $(el, '[role="status"]')!;
    expect(live.getAttribute('aria-live')).to.equal('polite');
    await submit(el);
    await el.updateComplete;
    expect(live.textContent?.trim()).to.equal('NERM tenant URL: Required');
    await fillApiKey(el);
    const success = next(el, 'nerm-connect-success');
    await submit(el);
    expect(live.textContent).to.contain('Connecting');
    await success;
    await el.updateComplete;
    expect(live.textContent).to.contain('Connected to');
    expect(el.shadowRoot!.activeElement?.tagName).to.equal('H3');
  });

  it('uses the dark palette for theme="dark" and follows the system for theme="auto"', async () => {
    const light = await connected();
    const dark = await connected({ theme: 'dark' });
    const auto = await connected({ theme: 'auto' });
    const bg = (el: Element) => getComputedStyle(el).backgroundColor;
    expect(bg(light)).to.equal('rgb(255, 255, 255)');
    expect(bg(dark)).to.equal('rgb(22, 27, 34)');
    const systemDark = matchMedia('(prefers-color-scheme: dark)').matches;
    expect(bg(auto)).to.equal(systemDark ? 'rgb(22, 27, 34)' : 'rgb(255, 255, 255)');
  });

  it('takes --nerm-connect-* custom properties', async () => {
    const el = await connected();
    el.style.setProperty('--nerm-connect-color-accent', 'rgb(200, 0, 100)');
    await el.updateComplete;
    expect(getComputedStyle($(el, 'button[type=submit]')!).backgroundColor).to.equal(
      'rgb(200, 0, 100)',
    );
  });
});
