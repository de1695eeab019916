import { initialState, Task, TaskStatus } from '@lit/task';
import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { FormController } from './controllers/form-controller.ts';
import { LocaleController } from './controllers/locale-controller.ts';
import { NermConnectErrorEvent } from './events/nerm-connect-error-event.ts';
import { NermConnectExitEvent } from './events/nerm-connect-exit-event.ts';
import { NermConnectRecoverEvent } from './events/nerm-connect-recover-event.ts';
import { NermConnectStepEvent, type NermConnectStep } from './events/nerm-connect-step-event.ts';
import { NermConnectSuccessEvent } from './events/nerm-connect-success-event.ts';
import {
  FIELD_ORDER,
  FIELDS_OF,
  labelOf,
  payload,
  sandboxValues,
  type NermConnectSandbox,
} from './form.ts';
import { format, type NermConnectStrings, type StringOverrides } from './i18n/strings.ts';
import { styles } from './nerm-connect.styles.ts';
import { kit, loadOnDemand, onDemand } from './load-on-demand.ts';
import type { LinkRecovery } from './on-demand.ts';
import {
  fetchTransport,
  localFailure,
  type BrokerFailure,
  type ConnectOutcome,
  type ConnectPayload,
  type NermConnectTransport,
  type SessionOutcome,
} from './transport.ts';
import * as view from './views.ts';

export type { AuthType, NermConnectSandbox } from './form.ts';
export type Theme = 'light' | 'dark' | 'auto';

/**
 * Connects a customer's SailPoint NERM tenant: collects the tenant URL and a Personal
 * Access Token (or a legacy API key), lets the broker prove and store it, and reports
 * the outcome. The credential never leaves the form except in the request to the
 * broker, and is cleared after success.
 *
 * @tagname nerm-connect
 * @summary Collects and validates a NERM tenant URL and credential, and connects it through the broker.
 *
 * @slot brand - Your mark beside the title. Default: the SailPoint mark.
 *
 * @fires nerm-connect-success - `{publicToken, integratedAccountId, tenantHost}`, once per successful connect.
 * @fires nerm-connect-error - `{code, message, requestId?}` for every failed attempt.
 * @fires nerm-connect-exit - `{reason}` when the user is done or gives up.
 * @fires nerm-connect-recover - `{reason}` (cancelable) when the user asks for a new link: set a fresh `linkToken`.
 * @fires nerm-connect-event - `{name}` for every step: open, validate, submit, cancel, success, error, exit.
 *
 * @csspart container - The outer section.
 * @csspart header - Brand, title and introduction.
 * @csspart title - The heading.
 * @csspart intro - The introduction text.
 * @csspart access - What the host will be able to do (the disclosure).
 * @csspart encrypted - The line that says the credential is encrypted.
 * @csspart form - The form.
 * @csspart field - Each field wrapper (label, input, help, error).
 * @csspart label - Each field label.
 * @csspart input - Each text input.
 * @csspart help - Each help text.
 * @csspart help-link - The link to SailPoint's help for the chosen method.
 * @csspart error - Each field error.
 * @csspart preview - The normalised tenant host under the URL field.
 * @csspart auth-choice - The auth-type fieldset.
 * @csspart choice - Each auth-type option.
 * @csspart sandbox - The "Use sandbox credentials" button.
 * @csspart reveal - The show/hide buttons of secret fields.
 * @csspart advanced - The advanced (token URL) disclosure.
 * @csspart form-error - The message that belongs to no single field.
 * @csspart actions - The button row.
 * @csspart button - Every button.
 * @csspart submit - The Connect button.
 * @csspart secondary - Cancel and Done.
 * @csspart recover - The expired screen's "Start again".
 * @csspart outcome - The success or expired panel.
 * @csspart status - The polite live region.
 *
 * @cssprop --nerm-connect-font-family - Font stack. Default: system-ui.
 * @cssprop --nerm-connect-font-size - Base size. Default: 15px.
 * @cssprop --nerm-connect-color-background - Panel background. Default: #ffffff / dark #161b22.
 * @cssprop --nerm-connect-color-surface - Subtle surfaces. Default: #f6f8fa / dark #0d1117.
 * @cssprop --nerm-connect-color-text - Text. Default: #1f2328 / dark #e6edf3.
 * @cssprop --nerm-connect-color-muted - Help text. Default: #57606a / dark #9ea7b3.
 * @cssprop --nerm-connect-color-border - Borders. Default: #8c959f / dark #6e7681.
 * @cssprop --nerm-connect-color-accent - Buttons, focus. Default: #0b5cad / dark #4493f8.
 * @cssprop --nerm-connect-color-accent-text - Text on accent. Default: #ffffff / dark #0d1117.
 * @cssprop --nerm-connect-color-danger - Errors. Default: #b3261e / dark #ff7b72.
 * @cssprop --nerm-connect-color-success - Success. Default: #1a7f37 / dark #3fb950.
 * @cssprop --nerm-connect-radius - Corner radius. Default: 8px.
 * @cssprop --nerm-connect-spacing - Base spacing. Default: 16px.
 * @cssprop --nerm-connect-max-width - Widest the element grows. Default: 32rem.
 * @cssprop --nerm-connect-focus-ring - Focus shadow.
 */
export class NermConnect extends LitElement {
  static override styles = styles;
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  // By name, not with decorators: no decorator code in the bundle, and `_names` may be
  // shortened (docs/decisions/0020-widget-on-lit.md).
  static override properties = {
    brokerUrl: { attribute: 'broker-url' },
    linkToken: { attribute: 'link-token' },
    locale: {},
    theme: { reflect: true },
    appName: { attribute: 'app-name' },
    access: {},
    strings: { attribute: false },
    transport: { attribute: false },
    sandbox: { attribute: false },
    _success: { state: true },
    _status: { state: true },
    _connectedHost: { state: true },
    _retryAt: { state: true },
  };

  /** Base URL of the nerm-connect broker. */
  brokerUrl = '';

  /** The link token your backend created (POST /link-tokens). Setting a new one recovers from expiry. */
  linkToken = '';

  /** `en`, `de`, `fr`, `es`, `ja` or `ar` (region subtags allowed); defaults to the page language. */
  locale: string | undefined;

  /** `light` (default), `dark`, or `auto` to follow the system's colour scheme. */
  theme: Theme = 'light';

  /** Your product's name, in the disclosure and the encryption line. */
  appName = '';

  /** What the disclosure says you will do: `read-write` (default) or `read`. */
  access: 'read' | 'read-write' = 'read-write';

  /** Overrides for any text, per key (and `errors` per code). */
  strings: StringOverrides | undefined;

  /** How the element reaches the broker; the default speaks HTTP to `brokerUrl`. */
  transport: NermConnectTransport = fetchTransport;

  /** Test credentials to offer with a "Use sandbox credentials" button per sign-in method. */
  sandbox: NermConnectSandbox | undefined;

  private _success = false;
  private _status = '';
  private _connectedHost = '';
  private _retryAt = 0;
  private _retryTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly _i18n = new LocaleController(this);
  private readonly _form = new FormController(this);
  /** Added when a link first dies. */
  private _recovery: LinkRecovery | undefined;

  /** Checks the link as soon as there is one: a dead link, or the tenant to re-authenticate. */
  private readonly _session = new Task(this, {
    task: async ([transport, brokerUrl, linkToken], { signal }) =>
      brokerUrl && linkToken ? transport.session(brokerUrl, linkToken, signal) : initialState,
    args: () => [this.transport, this.brokerUrl, this.linkToken] as const,
    onComplete: (outcome: SessionOutcome) => this._sessionChecked(outcome),
  });

  private readonly _submit = new Task(this, {
    task: async ([body]: readonly [ConnectPayload], { signal }) => {
      const outcome = await this.transport.connect(this.brokerUrl, this.linkToken, body, signal);
      signal.throwIfAborted(); // a transport that ignores the signal cannot succeed after Cancel
      return outcome;
    },
    autoRun: false,
    onComplete: (outcome: ConnectOutcome) =>
      outcome.ok ? this._succeed(outcome) : void this._fail(outcome),
  });

  /** Resolves once the texts of the current locale are loaded (for tests and hosts). */
  get localeReady(): Promise<void> {
    return this._i18n.ready;
  }

  private get _busy(): boolean {
    return this._submit.status === TaskStatus.PENDING;
  }

  private get _app(): string {
    return this.appName || this._i18n.t.appFallback;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._submit.abort();
    clearTimeout(this._retryTimer);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // What only the on-demand chunk renders is styled by it, adopted before it shows.
    const out = onDemand();
    const root = this.renderRoot as ShadowRoot;
    if (out && !root.adoptedStyleSheets.includes(out.styles()))
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, out.styles()];
    // A value (filled in by the host or the session) needs the tenant preview.
    if (Object.values(this._form.values).some(Boolean)) this._prefetch();
    if (changed.has('linkToken') && changed.get('linkToken') !== undefined) {
      // A fresh link token starts a fresh connection, whatever happened before.
      this._success = false;
      this._form.clearErrors();
    }
  }

  protected override firstUpdated(): void {
    this._step('open');
  }

  override render(): TemplateResult {
    const t = this._i18n.t;
    const out = onDemand(); // loaded with the first focus or value, submit or failure
    return html`
      <section
        part="container"
        aria-labelledby="title"
        lang=${this._i18n.lang}
        dir=${this._i18n.dir}
      >
        <header part="header">
          <slot name="brand">${view.brandMark(t)}</slot>
          <div>
            <h2 id="title" part="title">${t.title}</h2>
            <p class="intro" part="intro">${format(t.intro, { app: this._app })}</p>
          </div>
        </header>
        ${
          this._success && out
            ? out.successView(kit, t, this._connectedHost, this._app, () => this._exit('done'))
            : this._recovery?.expired && out
              ? out.expiredView(kit, t, this._recovery)
              : this._renderForm(t)
        }
        <div
          class="visually-hidden"
          part="status"
          role="status"
          aria-live="polite"
          aria-atomic="true"
        >
          ${this._status}
        </div>
      </section>
    `;
  }

  private _renderForm(t: NermConnectStrings): TemplateResult {
    const busy = this._busy;
    const previewHost = onDemand()?.tenantHost(this._form.values['tenant-url']);
    const pat = this._form.authType === 'pat';
    const failure = this._form.failure;
    const sandbox = this.sandbox;
    const offersSandbox = pat ? sandbox?.clientId && sandbox.clientSecret : sandbox?.apiKey;
    return html`
      ${view.accessList(t, this._app, this.access !== 'read')}
      <form part="form" novalidate @submit=${this._onSubmit} @focusin=${this._prefetch}>
        ${this._form.field(t, 'tenant-url', t.tenantUrlHelp, busy, {
          autocomplete: 'url',
          inputmode: 'url',
          extra:
            previewHost && !this._form.errors['tenant-url']
              ? html`<p class="preview" part="preview">
                  ${format(t.tenantUrlPreview, { host: previewHost })}
                </p>`
              : nothing,
        })}
        ${this._form.authChoice(t, busy)}
        ${offersSandbox ? view.sandboxButton(t, busy, () => this._fillSandbox()) : nothing}
        ${
          pat
            ? html`
                ${this._form.field(t, 'client-id', t.clientIdHelp, busy)}
                ${this._form.field(t, 'client-secret', t.clientSecretHelp, busy, { secret: true })}
                <details
                  part="advanced"
                  ?open=${this._form.values['token-url'] !== '' || this._form.errors['token-url'] !== undefined}
                >
                  <summary>${t.advanced}</summary>
                  ${this._form.field(t, 'token-url', t.tokenUrlHelp, busy, { inputmode: 'url', required: false })}
                </details>
              `
            : this._form.field(t, 'api-key', t.apiKeyHelp, busy, { secret: true })
        }
        ${failure && !failure.field ? view.formError(failure) : nothing}
        ${view.encryptedLine(t, this._app)}
        ${view.actions(t, {
          busy,
          held: this._retryAt > Date.now(),
          describedBy: failure && !failure.field ? 'form-error' : undefined,
          onSecondary: busy ? () => this._onCancel() : () => this._exit('cancel'),
        })}
      </form>
    `;
  }

  // ---- behaviour ---------------------------------------------------------------

  private _step(name: NermConnectStep, extra: { valid?: boolean; code?: string } = {}): void {
    this.dispatchEvent(new NermConnectStepEvent({ name, ...extra }));
  }

  /** What typing needs next (the tenant preview, validation) loads on first focus. */
  private _prefetch(): void {
    if (!onDemand()) void loadOnDemand().then((out) => out && this.requestUpdate());
  }

  private _fillSandbox(): void {
    if (this.sandbox) this._form.fill(sandboxValues(this.sandbox, this._form.authType));
  }

  private _sessionChecked(outcome: SessionOutcome): void {
    if (outcome.ok) {
      // A re-authentication link names its tenant: fill it in, scheme included.
      if (outcome.tenantUrl && this._form.values['tenant-url'] === '')
        this._form.fill({ 'tenant-url': outcome.tenantUrl });
      return;
    }
    if (outcome.code === 'network_error' || this._success || this._recovery?.expired) return;
    // Say so now, before anything is typed; the form stays, so a host page that hands
    // over a fresh link token loses nothing. Submitting a dead link shows the expired screen.
    void this._report(outcome, { keepForm: true });
  }

  private async _onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this._busy || this._retryAt > Date.now()) return;
    const { values, authType } = this._form;
    // Error texts and the key-character check load with the first submit, not the page.
    const [, out] = await Promise.all([this._i18n.errors(), loadOnDemand()]);
    const t = this._i18n.t;
    // Without its checks (no network for the chunk) the broker still validates everything.
    const errors = out?.validate(values, authType, t, FIELDS_OF[authType]) ?? {};
    const first = FIELD_ORDER.find((id) => errors[id]);
    this._step('validate', { valid: first === undefined });
    this._form.show(errors);
    if (first) {
      this._status = `${labelOf(t, first)}: ${errors[first]}`;
      void this._focusFirstError();
      return;
    }
    // Without the outcome screens there is nothing to show for an answer: no network.
    if (!out) return void this._form.show({}, { message: t.networkError });
    if (!this.brokerUrl) return void this._fail(localFailure('broker_url_missing'));
    if (!this.linkToken) return void this._fail(localFailure('link_token_missing'));
    this._status = t.submitting;
    this._step('submit');
    void this._submit.run([payload(this._form.values, this._form.authType)]);
  }

  private _succeed(outcome: Extract<ConnectOutcome, { ok: true }>): void {
    // The credential leaves the form now: nothing of it stays in the element.
    this._form.forget(true);
    this._connectedHost = outcome.tenantHost;
    this._success = true;
    this._status = format(this._i18n.t.successTitle, { host: outcome.tenantHost });
    this.dispatchEvent(
      new NermConnectSuccessEvent({
        publicToken: outcome.publicToken,
        integratedAccountId: outcome.integratedAccountId,
        tenantHost: outcome.tenantHost,
      }),
    );
    this._step('success');
    void this._focus('.outcome h3');
  }

  private async _fail(failure: BrokerFailure): Promise<void> {
    const out = await loadOnDemand();
    if (failure.code === 'link_token_invalid' && out) {
      this._form.forget(false);
      // Cancelable: a host that will set a fresh linkToken says so with preventDefault().
      const ask = () =>
        !this.dispatchEvent(new NermConnectRecoverEvent({ reason: 'link_token_invalid' }));
      (this._recovery ??= new out.LinkRecovery(this, ask)).expire();
    } else if (failure.code === 'rate_limited') {
      this._holdOff(failure.retryAfter ?? 30);
    }
    await this._report(failure, { keepForm: false });
    await this._focusFirstError();
  }

  /** Shows a failure where it can be fixed, announces it, and tells the host. */
  private async _report(failure: BrokerFailure, { keepForm }: { keepForm: boolean }) {
    const [, out] = await Promise.all([this._i18n.errors(), loadOnDemand()]);
    const t = this._i18n.t;
    const { code, requestId } = failure;
    if (!out) return void this._form.show({}, { message: t.networkError });
    const message = out.messageFor(kit, failure, t);
    out.warnIfSetup(failure);
    const { authType } = this._form;
    const fields =
      keepForm || code === 'link_token_invalid'
        ? []
        : out.fieldsFor(failure, authType, FIELDS_OF[authType]);
    this._form.show(Object.fromEntries(fields.map((f) => [f, message])), {
      ...(fields[0] ? { field: fields[0] } : {}),
      message,
      note: out.failureNote(kit, t, failure),
    });
    this._status = message;
    this.dispatchEvent(
      new NermConnectErrorEvent({ code, message, ...(requestId ? { requestId } : {}) }),
    );
    this._step('error', { code });
  }

  private _holdOff(seconds: number): void {
    this._retryAt = Date.now() + seconds * 1000;
    clearTimeout(this._retryTimer);
    this._retryTimer = setTimeout(() => (this._retryAt = 0), seconds * 1000);
  }

  private async _focus(selector: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  private async _focusFirstError(): Promise<void> {
    if (this._recovery?.expired) return;
    const first = FIELD_ORDER.find((id) => this._form.errors[id]);
    await this._focus(first ? `#${first}` : 'button[type="submit"]');
  }

  private async _onCancel(): Promise<void> {
    this._submit.abort();
    this._status = '';
    this._step('cancel');
    await this._submit.taskComplete.catch(() => {});
    await this._focus('button[type="submit"]');
  }

  private _exit(reason: 'cancel' | 'done'): void {
    this._step('exit');
    this.dispatchEvent(new NermConnectExitEvent({ reason }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nerm-connect': NermConnect;
  }
}
