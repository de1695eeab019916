import { expect } from '@esm-bundle/chai';
import { runAxe } from '@nerm-connect/test-kit/browser/axe';
import {
  $,
  chooseAuth,
  cleanup,
  connected,
  e2e,
  errorFor,
  eventually,
  exchange,
  faults,
  fillApiKey,
  fillPat,
  input,
  linkAlive,
  linkToken,
  mount,
  next,
  pressReveal,
  record,
  sandboxRequests,
  sandboxStatsText,
  submit,
  submitButton,
  text,
  type,
  until,
} from './helpers.ts';
import type { NermConnectStepEvent, NermConnectSuccessEvent } from '@nerm-connect/widget';

afterEach(async () => {
  cleanup();
  await faults({});
});

describe('<nerm-connect>', () => {
  it('passes axe (WCAG 2.2 AA) as first rendered', async () => {
    const el = await connected();
    expect(await runAxe(el)).to.deep.equal([]);
  });

  it('names its fields and button exactly as the contract says', async () => {
    const el = await mount();
    const labelOf = (id: string) =>
      el.shadowRoot!.querySelector(`label[for="${id}"]`)?.textContent?.trim();
    expect(labelOf('tenant-url')).to.equal('NERM tenant URL');
    expect(labelOf('client-id')).to.equal('Client ID');
    expect(labelOf('client-secret')).to.equal('Client secret');
    expect(submitButton(el).textContent?.trim()).to.equal('Connect');
    await chooseAuth(el, 'api_key');
    expect(labelOf('api-key')).to.equal('API key');
    expect(input(el, 'api-key').type).to.equal('password');
  });

  it('gives each contract name to exactly one control (no "Show Client secret" twins)', async () => {
    const el = await mount();
    const named = (name: string) => {
      const root = el.shadowRoot!;
      const byLabel = [...root.querySelectorAll('label[for]')].filter((l) =>
        l.textContent?.toLowerCase().includes(name.toLowerCase()),
      );
      const byAria = [...root.querySelectorAll('[aria-label]')].filter((e) =>
        e.getAttribute('aria-label')!.toLowerCase().includes(name.toLowerCase()),
      );
      return byLabel.length + byAria.length;
    };
    for (const name of ['NERM tenant URL', 'Client ID', 'Client secret'])
      expect(named(name), name).to.equal(1);
    await chooseAuth(el, 'api_key');
    expect(named('API key')).to.equal(1);
  });

  it('defaults to a Personal Access Token, with secrets masked and a reveal toggle', async () => {
    const el = await mount();
    const pat = el.shadowRoot!.querySelector<HTMLInputElement>('input[value="pat"]')!;
    expect(pat.checked).to.equal(true);
    const masked = { name: 'Show secret', pressed: 'false', type: 'password' };
    const shown = { name: 'Show secret', pressed: 'true', type: 'text' };
    expect(await pressReveal(el, 'client-secret')).to.deep.equal([masked, shown]);
  });

  it('shows the normalised host as the tenant URL is typed', async () => {
    const el = await mount();
    for (const [typed, host] of [
      ['acme', 'acme.nonemployee.com'],
      ['acme.nonemployee.com', 'acme.nonemployee.com'],
      ['https://ACME.nonemployee.com/api/', 'acme.nonemployee.com'],
    ]) {
      await type(el, 'tenant-url', typed!);
      // The first focus loads what typing needs (ADR 0022); then the preview shows.
      await until(() => $(el, '[part="preview"]') !== null);
      expect($(el, '[part="preview"]')?.textContent).to.contain(host);
    }
  });

  it('validates before any request and moves focus to the first invalid field', async () => {
    const el = await connected();
    const events: string[] = [];
    el.addEventListener('nerm-connect-event', (e) =>
      events.push((e as NermConnectStepEvent).detail.name),
    );
    await submit(el);
    await el.updateComplete;
    expect(errorFor(el, 'tenant-url')).to.equal('Required');
    expect(errorFor(el, 'client-id')).to.equal('Required');
    expect(errorFor(el, 'client-secret')).to.equal('Required');
    expect(input(el, 'tenant-url').getAttribute('aria-invalid')).to.equal('true');
    expect(input(el, 'tenant-url').getAttribute('aria-describedby')).to.equal(
      'tenant-url-help tenant-url-error',
    );
    expect(el.shadowRoot!.activeElement?.id).to.equal('tenant-url');
    expect(events).to.deep.equal(['validate']);

    await type(el, 'tenant-url', 'https://user:pw@acme.nonemployee.com');
    await submit(el);
    expect(errorFor(el, 'tenant-url')).to.equal('Remove the user name or password from the URL.');
    await type(el, 'tenant-url', 'acme');
    await type(el, 'client-id', 'id');
    await type(el, 'client-secret', 'secret');
    $(el, 'details')!.setAttribute('open', '');
    await type(el, 'token-url', 'not a url');
    await submit(el);
    expect(errorFor(el, 'token-url')).to.equal('Enter a full https:// URL.');
    expect(el.shadowRoot!.activeElement?.id).to.equal('token-url');
  });

  it('connects end to end with a legacy API key: success once, exchangeable, credential cleared', async () => {
    const el = await connected();
    const cfg = await e2e();
    const successes: NermConnectSuccessEvent[] = [];
    const steps: string[] = [];
    document.addEventListener('nerm-connect-success', (e) => successes.push(e));
    el.addEventListener('nerm-connect-event', (e) =>
      steps.push((e as NermConnectStepEvent).detail.name),
    );
    const logged: string[] = [];
    const originals = {
      log: console.log,
      info: console.info,
      warn: console.warn,
      error: console.error,
      debug: console.debug,
    };
    for (const name of Object.keys(originals) as (keyof typeof originals)[]) {
      console[name] = (...args: unknown[]) => logged.push(args.map(String).join(' '));
    }
    try {
      await fillApiKey(el);
      const success = next<NermConnectSuccessEvent>(el, 'nerm-connect-success');
      await submit(el);
      expect(submitButton(el).disabled).to.equal(true);
      const event = await success;
      await el.updateComplete;
      expect(event.bubbles && event.composed).to.equal(true);
      expect(event.detail.publicToken).to.match(/^pt_/);
      expect(event.detail.tenantHost).to.equal(new URL(cfg.sandboxUrl).host);
      expect(event.detail.integratedAccountId).to.be.a('string');
      expect($(el, '.outcome h3')!.textContent).to.contain(new URL(cfg.sandboxUrl).host);
      expect(steps).to.deep.equal(['validate', 'submit', 'success']);

      // The credential is gone from the element, the DOM, storage and the URL.
      const html = el.shadowRoot!.innerHTML + el.outerHTML + document.documentElement.outerHTML;
      expect(html).not.to.contain(cfg.apiKey);
      expect(
        JSON.stringify({ ...localStorage }) +
          JSON.stringify({ ...sessionStorage }) +
          location.href +
          document.cookie,
      ).not.to.contain(cfg.apiKey);
      expect(logged.join('\n')).not.to.contain(cfg.apiKey);

      const exchanged = await exchange(event.detail.publicToken);
      expect(exchanged.status).to.equal(200);
      expect(exchanged.body.integrated_account_id).to.equal(event.detail.integratedAccountId);
      // Once: the exchange round trip gave any second success time to arrive.
      expect(successes).to.have.length(1);
    } finally {
      Object.assign(console, originals);
    }
  });

  it('connects end to end with a Personal Access Token', async () => {
    const el = await connected();
    await fillPat(el);
    const success = next<NermConnectSuccessEvent>(el, 'nerm-connect-success');
    await submit(el);
    expect((await success).detail.publicToken).to.match(/^pt_/);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('#client-secret')).to.equal(null);
  });

  it('disables inputs while submitting, and Cancel returns to the form without success', async () => {
    // NERM's answer is held until the test has pressed Cancel (a fixed latency of 1.5 s was
    // outrun at load 17: the answer came back first and Cancel found a success screen).
    const el = await connected();
    await fillApiKey(el);
    await faults({ hold: true });
    let succeeded = false;
    el.addEventListener('nerm-connect-success', () => (succeeded = true));
    const before = await sandboxRequests();
    await submit(el);
    expect(input(el, 'api-key').disabled).to.equal(true);
    expect(input(el, 'tenant-url').disabled).to.equal(true);
    expect(submitButton(el).textContent).to.contain('Connecting');
    // Cancel once the broker is waiting on NERM for this very request.
    await eventually(async () => (await sandboxRequests()) > before);
    const steps: string[] = [];
    el.addEventListener('nerm-connect-event', (e) =>
      steps.push((e as NermConnectStepEvent).detail.name),
    );
    el.shadowRoot!.querySelector<HTMLButtonElement>('button.secondary')!.click();
    // Cancel ends with focus back on Connect, once the aborted request has settled.
    await until(() => el.shadowRoot!.activeElement === submitButton(el));
    expect(steps).to.deep.equal(['cancel']);
    expect(input(el, 'api-key').disabled).to.equal(false);
    expect(submitButton(el).textContent?.trim()).to.equal('Connect');
    await faults({});
    // The broker still finishes the connect the page walked away from (the link is then
    // used up); the element, having cancelled, reports nothing of it.
    // Failed once in a full check (2026-12-06 ~20:05): the wait above counted the sandbox's
    // stats calls too, so Cancel could come before the connect had left the page; the
    // message says what the sandbox had seen, should it time out again.
    await eventually(
      async () => !(await linkAlive(el.linkToken)),
      25_000,
      async () => `link still alive; before=${before}; sandbox ${await sandboxStatsText()}`,
    );
    await el.updateComplete;
    expect(succeeded).to.equal(false);
    expect($(el, '.outcome')).to.equal(null);
  });

  it('raises link_token_invalid for an expired link, keeps the tenant URL, and recovers through "Start again"', async () => {
    const cfg = await e2e();
    const el = document.createElement('nerm-connect');
    const errors = record<CustomEvent<{ code: string }>>(el, 'nerm-connect-error');
    el.setAttribute('broker-url', cfg.brokerUrl);
    el.setAttribute('link-token', 'lt_expired_or_never_issued');
    document.body.append(el);
    // Said as soon as the link is checked, before anything is typed; the form stays.
    await until(() => errors.length > 0);
    expect(errors.map((e) => e.detail.code)).to.deep.equal(['link_token_invalid']);
    await el.updateComplete;
    expect(text($(el, '[part="form-error"]'))).to.contain('This link has expired');
    expect($(el, 'form')).not.to.equal(null);

    // Submitting the dead link: the error again, and the expired screen, secret gone.
    await fillApiKey(el);
    const again = next<CustomEvent>(el, 'nerm-connect-error');
    await submit(el);
    expect((await again).detail.code).to.equal('link_token_invalid');
    await el.updateComplete;
    expect(text($(el, '.outcome h3'))).to.equal('This link has expired');
    expect(el.shadowRoot!.innerHTML).not.to.contain(cfg.apiKey);

    // The host answers "Start again" with a fresh link from its backend.
    el.addEventListener(
      'nerm-connect-recover',
      (e) => {
        e.preventDefault();
        void linkToken().then((token) => (el.linkToken = token));
      },
      { once: true },
    );
    ($(el, '[part~="recover"]') as HTMLButtonElement).click();
    await until(() => $(el, 'form') !== null);
    await el.updateComplete;
    expect($(el, '[part="form-error"]')).to.equal(null);
    expect(input(el, 'tenant-url').value).to.equal(cfg.sandboxUrl);
    expect(input(el, 'api-key').value).to.equal('');
    expect(el.shadowRoot!.activeElement?.id).to.equal('tenant-url');
    await type(el, 'api-key', cfg.apiKey);
    const success = next<NermConnectSuccessEvent>(el, 'nerm-connect-success');
    await submit(el);
    expect((await success).detail.publicToken).to.match(/^pt_/);
  });

  it('fires nerm-connect-error with link_token_invalid when the link dies before submit', async () => {
    const token = await linkToken();
    const el = await connected({ 'link-token': token });
    await fillApiKey(el);
    // Burn the token with another connection, as a second tab would.
    const cfg = await e2e();
    await fetch(`${cfg.brokerUrl}/link/connect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        tenant_url: cfg.sandboxUrl,
        auth: { type: 'api_key', api_key: cfg.apiKey },
      }),
    });
    const error = next<CustomEvent>(el, 'nerm-connect-error');
    await submit(el);
    expect((await error).detail.code).to.equal('link_token_invalid');
    await el.updateComplete;
    expect(text($(el, '.outcome h3'))).to.equal('This link has expired');
    expect(el.shadowRoot!.innerHTML).not.to.contain(cfg.apiKey);
  });

  it('fires exit with Cancel, and with Done after success', async () => {
    const el = await connected();
    const exit = next<CustomEvent>(el, 'nerm-connect-exit');
    el.shadowRoot!.querySelector<HTMLButtonElement>('button.secondary')!.click();
    expect((await exit).detail.reason).to.equal('cancel');

    await fillApiKey(el);
    const success = next(el, 'nerm-connect-success');
    await submit(el);
    await success;
    await el.updateComplete;
    const done = next<CustomEvent>(el, 'nerm-connect-exit');
    el.shadowRoot!.querySelector<HTMLButtonElement>('.outcome button')!.click();
    expect((await done).detail.reason).to.equal('done');
  });

  it('fires open once it is on the page, and nothing when properties are set from code', async () => {
    const steps: string[] = [];
    const listener = (e: Event) => steps.push((e as NermConnectStepEvent).detail.name);
    document.addEventListener('nerm-connect-event', listener);
    const el = await mount();
    expect(steps).to.deep.equal(['open']);
    el.theme = 'dark';
    el.locale = 'en';
    el.brokerUrl = '';
    await el.updateComplete;
    expect(steps).to.deep.equal(['open']);
    document.removeEventListener('nerm-connect-event', listener);
  });

  it('is fully usable by keyboard', async () => {
    const { sendKeys } = await import('@web/test-runner-commands');
    const el = await connected();
    const cfg = await e2e();
    input(el, 'tenant-url').focus();
    await sendKeys({ type: cfg.sandboxUrl });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'ArrowDown' }); // radio group: move to "Legacy API key"
    await el.updateComplete;
    expect(
      el.shadowRoot!.querySelector<HTMLInputElement>('input[value="api_key"]')!.checked,
    ).to.equal(true);
    // Past SailPoint's help for the chosen method, to the key.
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement?.textContent?.trim()).to.equal('How to create an API key');
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement?.id).to.equal('api-key');
    await sendKeys({ type: cfg.apiKey });
    const success = next<NermConnectSuccessEvent>(el, 'nerm-connect-success');
    await sendKeys({ press: 'Enter' });
    expect((await success).detail.publicToken).to.match(/^pt_/);
  });
});
