import { expect } from '@esm-bundle/chai';
import type { NermConnect } from '@nerm-connect/widget';
import {
  $,
  cleanup,
  connected,
  e2e,
  errorFor,
  faults,
  fillApiKey,
  fillPat,
  input,
  linkToken,
  mount,
  next,
  submit,
  submitButton,
  type,
  until,
} from './helpers.ts';

type ErrorEvent = CustomEvent<{ code: string; message: string; requestId?: string }>;

afterEach(async () => {
  cleanup();
  await faults({});
});

/** Submits and returns the error event; the element has re-rendered when it resolves. */
async function failWith(el: NermConnect): Promise<ErrorEvent> {
  const error = next<ErrorEvent>(el, 'nerm-connect-error');
  await submit(el);
  const event = await error;
  await el.updateComplete;
  await el.updateComplete;
  return event;
}

/**
 * Submits and expects the broker's `code` on field `id`: the translated text first, then
 * the broker's own reason and the request id for support (both as the broker sent them);
 * announced, focused.
 */
async function failsOnField(
  el: NermConnect,
  code: string,
  id: string,
  message: string,
): Promise<void> {
  const event = await failWith(el);
  expect(event.detail.code).to.equal(code);
  const shown = errorFor(el, id)!;
  expect(shown.startsWith(message), shown).to.equal(true);
  expect(event.detail.message).to.equal(message);
  expect(event.detail.requestId).to.match(/^req_/);
  expect(shown).to.contain(`Reference: ${event.detail.requestId}`);
  expect(input(el, id).getAttribute('aria-invalid')).to.equal('true');
  expect(input(el, id).getAttribute('aria-describedby')).to.contain(`${id}-error`);
  expect(el.shadowRoot!.activeElement?.id).to.equal(id);
  expect($(el, '[part="form-error"]')).to.equal(null);
}

describe('broker errors land where they can be fixed', () => {
  it('tenant_host_not_allowed → on the tenant URL', async () => {
    const el = await connected();
    await fillApiKey(el, undefined, 'evil.example.com');
    await failsOnField(
      el,
      'tenant_host_not_allowed',
      'tenant-url',
      'This address is not a NERM tenant we can connect to.',
    );
  });

  it('tenant_unreachable → on the tenant URL', async () => {
    const el = await connected();
    await fillApiKey(el, undefined, 'http://127.0.0.1:9');
    await failsOnField(el, 'tenant_unreachable', 'tenant-url', 'We could not reach this address.');
  });

  it('not_a_nerm_tenant → on the tenant URL', async () => {
    const el = await connected();
    await fillApiKey(el, undefined, location.origin);
    await failsOnField(
      el,
      'not_a_nerm_tenant',
      'tenant-url',
      'This address answered, but not like NERM.',
    );
  });

  it('tenant_url_invalid → on the tenant URL (a re-authentication against another tenant)', async () => {
    const cfg = await e2e();
    const first = await linkToken();
    const res = await fetch(`${cfg.brokerUrl}/link/connect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        tenant_url: cfg.sandboxUrl,
        auth: { type: 'api_key', api_key: cfg.apiKey },
      }),
    });
    const accountId = ((await res.json()) as { integrated_account: { id: string } })
      .integrated_account.id;
    const el = await mount({
      'broker-url': cfg.brokerUrl,
      'link-token': await linkToken({ integrated_account_id: accountId }),
    });
    // The re-authentication link fills in its tenant, scheme included (it submits as is).
    await until(() => input(el, 'tenant-url').value !== '');
    expect(input(el, 'tenant-url').value).to.equal(cfg.sandboxUrl);
    await fillApiKey(el, undefined, 'acme');
    await failsOnField(
      el,
      'tenant_url_invalid',
      'tenant-url',
      'That does not look like a NERM tenant URL.',
    );
  });

  it('invalid_credentials → on the API key, or on the client secret', async () => {
    const el = await connected();
    await fillApiKey(el, 'nerm_not_the_right_key');
    await failsOnField(
      el,
      'invalid_credentials',
      'api-key',
      'NERM did not accept these credentials. Check them and try again.',
    );

    const pat = await connected();
    await fillPat(pat, { clientSecret: 'wrong-secret' });
    await failsOnField(
      pat,
      'invalid_credentials',
      'client-secret',
      'NERM did not accept these credentials. Check them and try again.',
    );
  });

  it('insufficient_permissions → on the secret', async () => {
    const el = await connected();
    await fillApiKey(el, (await e2e()).restrictedApiKey);
    await failsOnField(
      el,
      'insufficient_permissions',
      'api-key',
      'These credentials work, but do not belong to a NERM Admin.',
    );
  });

  it('tenant_host_not_allowed for the token URL → on the token URL', async () => {
    const el = await connected();
    await fillPat(el, { tokenUrl: 'https://evil.example.com/oauth/token' });
    await failsOnField(
      el,
      'tenant_host_not_allowed',
      'token-url',
      'This address is not a NERM tenant we can connect to.',
    );
    // The field lives under Advanced, which opened to show it.
    expect($(el, 'details')!.hasAttribute('open')).to.equal(true);
  });

  it('invalid_request with issues → on the named field', async () => {
    const el = await connected();
    await fillApiKey(el, 'k'.repeat(2000));
    await failsOnField(
      el,
      'invalid_request',
      'api-key',
      'Some fields are not valid. Check them and try again.',
    );
  });

  it('payload_too_large → for the whole form', async () => {
    const el = await connected();
    await fillApiKey(el, 'k'.repeat(20_000));
    expect((await failWith(el)).detail.code).to.equal('payload_too_large');
    expect($(el, '[part="form-error"]')!.textContent).to.contain('What you entered is too long.');
  });

  it('upstream_error → for the whole form, with the request id for support', async () => {
    await faults({ failNext: { count: 20, status: 503 } });
    const el = await connected();
    await fillApiKey(el);
    const event = await failWith(el);
    expect(event.detail.code).to.equal('upstream_error');
    expect(event.detail.requestId).to.match(/^req_/);
    const formError = $(el, '[part="form-error"]')!;
    expect(formError.textContent).to.contain('NERM had a problem.');
    expect(formError.textContent).to.contain(event.detail.requestId!);
    expect(submitButton(el).getAttribute('aria-describedby')).to.equal('form-error');
    expect(el.shadowRoot!.activeElement).to.equal(submitButton(el));
  });

  it('rate_limited → for the whole form, with the wait, and Connect held back', async () => {
    const el = await connected();
    await fillApiKey(el, undefined, 'evil.example.com');
    let event;
    for (let i = 0; i < 5; i++) {
      event = await failWith(el);
      if (event.detail.code === 'rate_limited') break;
    }
    expect(event!.detail.code).to.equal('rate_limited');
    expect($(el, '[part="form-error"]')!.textContent).to.match(
      /Too many attempts\. Try again in \d+ s\./,
    );
    expect(submitButton(el).disabled).to.equal(true);
  });

  it('network_error → for the whole form when the broker cannot be reached', async () => {
    const el = await mount({ 'broker-url': 'http://127.0.0.1:9', 'link-token': 'lt_x' });
    await fillApiKey(el);
    const event = await failWith(el);
    expect(event.detail.code).to.equal('network_error');
    expect($(el, '[part="form-error"]')!.textContent).to.contain(
      'could not reach the connection service',
    );
  });

  it('clears a field error as soon as the field is edited', async () => {
    const el = await connected();
    await fillApiKey(el, 'nerm_wrong');
    await failWith(el);
    await type(el, 'api-key', 'nerm_wrong2');
    expect(errorFor(el, 'api-key')).to.equal(undefined);
    expect(input(el, 'api-key').getAttribute('aria-invalid')).to.equal('false');
  });
});
