import { expect } from '@esm-bundle/chai';
import { runAxe } from '@nerm-connect/test-kit/browser/axe';
import { connected, failure, FakeTransport } from './fake-transport.ts';
import {
  $,
  chooseAuth,
  cleanup,
  errorFor,
  fillApiKey,
  fillPat,
  input,
  mount,
  pressReveal,
  record,
  settle,
  submit,
  submitButton,
  text,
  type,
} from './helpers.ts';
import type { NermConnectStepEvent } from '../src/events/nerm-connect-step-event.ts';

afterEach(cleanup);

/** console.warn, captured for the duration of `fn`. */
async function warnings(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => seen.push(args.map(String).join(' '));
  try {
    await fn();
  } finally {
    console.warn = original;
  }
  return seen;
}

describe('<nerm-connect> on a fake transport', () => {
  it('passes axe (WCAG 2.2 AA) as first rendered', async () => {
    const { el } = await mount();
    expect(await runAxe(el)).to.deep.equal([]);
  });

  it('names its fields exactly as the contract says, and the reveal button "Show secret"', async () => {
    const { el } = await mount();
    const labelOf = (id: string) => text(el.shadowRoot!.querySelector(`label[for="${id}"]`));
    expect([labelOf('tenant-url'), labelOf('client-id'), labelOf('client-secret')]).to.deep.equal([
      'NERM tenant URL',
      'Client ID',
      'Client secret',
    ]);
    expect(text(submitButton(el))).to.equal('Connect');
    const masked = { name: 'Show secret', pressed: 'false', type: 'password' };
    const shown = { name: 'Show secret', pressed: 'true', type: 'text' };
    expect(await pressReveal(el, 'client-secret')).to.deep.equal([masked, shown]);
  });

  it('sends what was typed to its transport and succeeds once: credential cleared, focus and announcement on the outcome', async () => {
    const { el, transport } = await mount({ 'app-name': 'Northwind' });
    const successes = record<CustomEvent>(el, 'nerm-connect-success');
    const steps = record<NermConnectStepEvent>(el, 'nerm-connect-event');
    await fillPat(el);
    await submit(el);
    expect(transport.connects.map((c) => [c.brokerUrl, c.linkToken, c.payload])).to.deep.equal([
      [
        'https://broker.test',
        'lt_test',
        {
          tenant_url: 'acme',
          auth: { type: 'pat', client_id: 'client-1', client_secret: 'secret-1' },
        },
      ],
    ]);
    expect(successes.map((e) => e.detail)).to.deep.equal([
      { publicToken: 'pt_fake', integratedAccountId: 'acct_1', tenantHost: 'acme.nonemployee.com' },
    ]);
    expect(steps.map((e) => e.detail.name)).to.deep.equal(['validate', 'submit', 'success']);
    expect(el.shadowRoot!.activeElement?.tagName).to.equal('H3');
    expect(text($(el, '[role="status"]'))).to.equal('Connected to acme.nonemployee.com');
    const body = text($(el, '.outcome'));
    expect(body).to.contain('Northwind can now reach your NERM tenant');
    expect(body).not.to.match(/close this window/i);
    expect(el.shadowRoot!.innerHTML).not.to.contain('secret-1');
  });

  it('fills in a re-authentication link’s tenant with its scheme, so it submits as it stands', async () => {
    const transport = new FakeTransport();
    transport.sessionAnswer = { ok: true, tenantUrl: 'http://127.0.0.1:4010' };
    const { el } = await mount({}, { transport });
    expect(input(el, 'tenant-url').value).to.equal('http://127.0.0.1:4010');
    expect(text($(el, '[part="preview"]'))).to.equal('Tenant: 127.0.0.1:4010');
  });

  it('puts a token URL failure on the Token URL field, opens Advanced, and shows the broker’s reason and the request id', async () => {
    const transport = new FakeTransport().answer(
      failure('tenant_unreachable', {
        message: 'The token URL could not be reached: connection refused',
        issues: [{ code: 'tenant_unreachable', path: ['auth', 'token_url'], message: 'x' }],
        requestId: 'req_token1',
      }),
    );
    const { el } = await mount({}, { transport });
    await fillPat(el);
    await submit(el);
    expect(($(el, 'details') as HTMLDetailsElement).open).to.equal(true);
    const error = errorFor(el, 'token-url')!;
    expect(error).to.contain(
      'We could not reach the token URL. Enter the one your Identity Security Cloud tenant uses.',
    );
    expect(error).to.contain('The token URL could not be reached: connection refused');
    expect(error).to.contain('Reference: req_token1');
    expect(errorFor(el, 'tenant-url')).to.equal(undefined);
    expect(el.shadowRoot!.activeElement?.id).to.equal('token-url');
  });

  it('shows the broker’s precise reason under the translated text on the tenant URL', async () => {
    const transport = new FakeTransport().answer(
      failure('not_a_nerm_tenant', {
        message: 'The tenant answered HTML, not NERM JSON',
        requestId: 'req_2',
      }),
    );
    const { el } = await mount({}, { transport });
    await fillApiKey(el);
    await submit(el);
    const error = errorFor(el, 'tenant-url')!;
    expect(error).to.match(/^This address answered, but not like NERM\./);
    expect(error).to.contain('The tenant answered HTML, not NERM JSON');
    expect(error).to.contain('Reference: req_2');
  });

  it('tells the developer, not the user, when the broker refuses the page’s origin (origin_not_allowed)', async () => {
    const transport = new FakeTransport().answer(
      failure('origin_not_allowed', { message: "This page's origin is not allowed" }),
    );
    const { el } = await mount({}, { transport });
    const errors = record<CustomEvent>(el, 'nerm-connect-error');
    const warned = await warnings(async () => {
      await fillApiKey(el);
      await submit(el);
      await settle(el);
    });
    expect(errors.map((e) => e.detail.code)).to.deep.equal(['origin_not_allowed']);
    expect(text($(el, '[part="form-error"]'))).to.contain(
      'This page is not set up to connect NERM yet.',
    );
    expect(warned.join('\n')).to.contain('NERM_BROKER_ALLOWED_ORIGINS');
    expect(warned.join('\n')).to.contain(location.origin);
  });

  for (const [missing, code] of [
    ['link-token', 'link_token_missing'],
    ['broker-url', 'broker_url_missing'],
  ] as const) {
    it(`raises ${code} (not "expired") when the page never set ${missing}`, async () => {
      const { el, transport } = await mount({ [missing]: '' });
      const errors = record<CustomEvent>(el, 'nerm-connect-error');
      const warned = await warnings(async () => {
        await fillApiKey(el);
        await submit(el);
        await settle(el);
      });
      expect(errors.map((e) => e.detail.code)).to.deep.equal([code]);
      expect(transport.connects).to.have.length(0);
      expect($(el, '.outcome')).to.equal(null);
      expect(text($(el, '[part="form-error"]'))).to.contain('not set up');
      expect(warned.join('\n')).to.contain(`no ${missing} is set`);
    });
  }

  it('offers "Start again" on an expired link: asks the host for a new one, and returns to the form with focus', async () => {
    const transport = new FakeTransport().answer(failure('link_token_invalid'));
    const { el } = await mount({}, { transport });
    await fillApiKey(el);
    await submit(el);
    expect(text($(el, '.outcome h3'))).to.equal('This link has expired');
    expect(el.shadowRoot!.activeElement?.tagName).to.equal('H3');
    expect(el.shadowRoot!.innerHTML).not.to.contain('nerm_key_1234');
    const asks = record<CustomEvent>(el, 'nerm-connect-recover');
    el.addEventListener('nerm-connect-recover', (e) => e.preventDefault(), { once: true });
    const recover = $(el, '[part~="recover"]') as HTMLButtonElement;
    expect(text(recover)).to.equal('Start again');
    recover.click();
    await settle(el);
    expect(asks.map((e) => e.detail)).to.deep.equal([{ reason: 'link_token_invalid' }]);
    expect(text($(el, '[part~="recover"]'))).to.equal('Getting a new link…');
    el.linkToken = 'lt_fresh';
    await settle(el);
    expect($(el, 'form')).not.to.equal(null);
    expect(el.shadowRoot!.activeElement?.id).to.equal('tenant-url');
  });

  it('says to reload when no host answers "Start again"', async () => {
    const transport = new FakeTransport().answer(failure('link_token_invalid'));
    const { el } = await mount({}, { transport });
    await fillApiKey(el);
    await submit(el);
    ($(el, '[part~="recover"]') as HTMLButtonElement).click();
    await settle(el);
    expect(text($(el, '.outcome'))).to.contain('Reload this page to get a new link.');
  });

  it('fills every field of the chosen method from the host’s sandbox credentials', async () => {
    const { el } = await mount();
    expect($(el, '[part~="sandbox"]')).to.equal(null);
    el.sandbox = {
      tenantUrl: 'http://127.0.0.1:4010',
      clientId: 'cid',
      clientSecret: 'cs',
      apiKey: 'k1',
    };
    await el.updateComplete;
    ($(el, '[part~="sandbox"]') as HTMLButtonElement).click();
    await el.updateComplete;
    expect(
      ['tenant-url', 'client-id', 'client-secret'].map((id) => input(el, id).value),
    ).to.deep.equal(['http://127.0.0.1:4010', 'cid', 'cs']);
    await chooseAuth(el, 'api_key');
    expect(text($(el, '[part~="sandbox"]'))).to.equal('Use sandbox credentials');
    ($(el, '[part~="sandbox"]') as HTMLButtonElement).click();
    await el.updateComplete;
    expect(input(el, 'api-key').value).to.equal('k1');
  });

  it('discloses read and write access (or read only), the encryption, the brand and SailPoint’s help', async () => {
    const { el } = await mount({ 'app-name': 'Northwind' });
    expect(text($(el, '[part="access"]'))).to.equal(
      'Northwind will be able to: Read your non-employees, their status, dates and roles Update them, e.g. to offboard someone',
    );
    expect(text($(el, '[part="encrypted"]'))).to.equal(
      'Your credential is encrypted and never shown to Northwind.',
    );
    expect($(el, 'slot[name="brand"] [role="img"]')!.getAttribute('aria-label')).to.equal(
      'SailPoint',
    );
    const help = $(el, '[part="help-link"]') as HTMLAnchorElement;
    expect(help.href).to.match(/^https:\/\/documentation\.sailpoint\.com\//);
    expect(help.rel).to.equal('noopener noreferrer');
    expect(text(help)).to.equal('How to create a Personal Access Token');
    await chooseAuth(el, 'api_key');
    expect(text(help)).to.equal('How to create an API key');
    el.access = 'read';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('[part="access"] li')).to.have.length(1);
  });

  it('shows the tenant preview as neutral text, not as a status', async () => {
    const { el } = await mount();
    await type(el, 'tenant-url', 'acme');
    const preview = $(el, '[part="preview"]')!;
    expect(text(preview)).to.equal('Tenant: acme.nonemployee.com');
    expect(getComputedStyle(preview).color).to.equal(getComputedStyle($(el, '.help')!).color);
  });

  it('refuses a key with a character no key can hold before sending it, naming its position', async () => {
    const { el, transport } = await mount();
    await fillApiKey(el, 'nerm_ab\u201dcd');
    await submit(el);
    expect(errorFor(el, 'api-key')).to.contain('Character 8 cannot be part of a key');
    expect(transport.connects).to.have.length(0);
  });

  it('validates before any request and moves focus to the first invalid field', async () => {
    const { el, transport } = await mount();
    await submit(el);
    expect(errorFor(el, 'tenant-url')).to.equal('Required');
    expect(errorFor(el, 'client-secret')).to.equal('Required');
    expect(el.shadowRoot!.activeElement?.id).to.equal('tenant-url');
    expect(text($(el, '[role="status"]'))).to.equal('NERM tenant URL: Required');
    expect(transport.connects).to.have.length(0);
  });

  it('Cancel aborts the request: no success, and the form is back', async () => {
    const transport = new FakeTransport().hold();
    const { el } = await mount({}, { transport });
    const successes = record(el, 'nerm-connect-success');
    await fillApiKey(el);
    submitButton(el).click();
    await settle(el);
    expect(input(el, 'api-key').disabled).to.equal(true);
    el.shadowRoot!.querySelector<HTMLButtonElement>('button.secondary')!.click();
    await settle(el);
    expect(transport.connects[0]!.signal.aborted).to.equal(true);
    transport.release();
    await settle(el);
    expect(successes).to.have.length(0);
    expect(input(el, 'api-key').disabled).to.equal(false);
    expect(el.shadowRoot!.activeElement === submitButton(el), 'focus on Connect').to.equal(true);
  });

  it('holds Connect back while rate limited, with the wait in the message', async () => {
    const transport = new FakeTransport().answer(failure('rate_limited', { retryAfter: 42 }));
    const { el } = await mount({}, { transport });
    await fillApiKey(el);
    await submit(el);
    expect(text($(el, '[part="form-error"]'))).to.contain('Too many attempts. Try again in 42 s.');
    expect(submitButton(el).disabled).to.equal(true);
  });

  it('fires open once; properties set from code fire nothing, except a dead link token, reported once', async () => {
    const steps: string[] = [];
    const listener = (e: Event) => steps.push((e as NermConnectStepEvent).detail.name);
    document.addEventListener('nerm-connect-event', listener);
    try {
      const transport = new FakeTransport();
      const { el } = await mount({}, { transport });
      expect(steps).to.deep.equal(['open']);
      el.theme = 'dark';
      el.locale = 'en';
      el.linkToken = 'lt_other_live_one';
      await settle(el);
      expect(transport.sessions.map((s) => s.linkToken)).to.deep.equal([
        'lt_test',
        'lt_other_live_one',
      ]);
      expect(steps).to.deep.equal(['open']);
      transport.sessionAnswer = failure('link_token_invalid');
      el.linkToken = 'lt_dead';
      await settle(el);
      expect(steps).to.deep.equal(['open', 'error']);
      expect(text($(el, '[part="form-error"]'))).to.contain('This link has expired');
      expect($(el, 'form')).not.to.equal(null);
    } finally {
      document.removeEventListener('nerm-connect-event', listener);
    }
  });

  it('connects with whatever transport the host injects, and its success is the one reported', async () => {
    const transport = new FakeTransport().answer({
      ...connected,
      tenantHost: 'other.nonemployee.com',
    });
    const { el } = await mount({}, { transport });
    await fillApiKey(el);
    await submit(el);
    expect(text($(el, '.outcome h3'))).to.equal('Connected to other.nonemployee.com');
  });
});
