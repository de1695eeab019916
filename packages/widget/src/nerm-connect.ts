import { normalizeTenantUrl, type ErrorCode } from '@nerm-connect/shared/lite';
import { LitElement, html, nothing, svg, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { live } from 'lit/directives/live.js';
import * as broker from './broker-client.ts';
import { NermConnectErrorEvent } from './events/nerm-connect-error-event.ts';
import { NermConnectExitEvent } from './events/nerm-connect-exit-event.ts';
import { NermConnectStepEvent, type NermConnectStep } from './events/nerm-connect-step-event.ts';
import { NermConnectSuccessEvent } from './events/nerm-connect-success-event.ts';
import { en } from './i18n/en.ts';
import { loadStrings, mergeStrings, resolveLocale, type SupportedLocale } from './i18n/locales.ts';
import { format, type NermConnectStrings, type StringOverrides } from './i18n/strings.ts';
import { styles } from './nerm-connect.styles.ts';

type FieldId = 'tenant-url' | 'client-id' | 'client-secret' | 'token-url' | 'api-key';
type Phase = 'idle' | 'submitting' | 'success' | 'expired';
export type AuthType = 'pat' | 'api_key';
export type Theme = 'light' | 'dark' | 'auto';

const FIELD_ORDER: FieldId[] = ['tenant-url', 'client-id', 'client-secret', 'token-url', 'api-key'];

/** Where the broker's field paths land in the form. */
const FIELD_FOR_PATH: Record<string, FieldId> = {
  tenant_url: 'tenant-url',
  'auth.client_id': 'client-id',
  'auth.client_secret': 'client-secret',
  'auth.token_url': 'token-url',
  'auth.api_key': 'api-key',
};

/** Codes whose fix is in one field; `secret` means the secret of the chosen auth type. */
const FIELD_FOR_CODE: Partial<Record<ErrorCode, FieldId | 'secret'>> = {
  tenant_url_invalid: 'tenant-url',
  tenant_host_not_allowed: 'tenant-url',
  tenant_unreachable: 'tenant-url',
  not_a_nerm_tenant: 'tenant-url',
  invalid_credentials: 'secret',
  insufficient_permissions: 'secret',
};

const eye = svg`<path d="M12 5C6.5 5 2.7 9.4 1.5 12c1.2 2.6 5 7 10.5 7s9.3-4.4 10.5-7C21.3 9.4 17.5 5 12 5Zm0 11.5a4.5 4.5 0 1 1 0-9 4.5 4.5 0 0 1 0 9Zm0-2.2a2.3 2.3 0 1 0 0-4.6 2.3 2.3 0 0 0 0 4.6Z" fill="currentColor"/>`;
const eyeOff = svg`<path d="m3.3 2 18.7 18.7-1.3 1.3-3.5-3.5A11.6 11.6 0 0 1 12 19C6.5 19 2.7 14.6 1.5 12a13.7 13.7 0 0 1 4.2-5l-3.7-3.7L3.3 2Zm5.5 5.5 1.7 1.7a2.3 2.3 0 0 0 3.3 3.3l1.7 1.7A4.5 4.5 0 0 1 8.8 7.5ZM12 5c5.5 0 9.3 4.4 10.5 7-.6 1.3-1.8 3-3.5 4.4l-3.3-3.3A4.5 4.5 0 0 0 10.9 7.6L8.7 5.4C9.7 5.1 10.8 5 12 5Z" fill="currentColor"/>`;

/**
 * Connects a customer's SailPoint NERM tenant: collects the tenant URL and a Personal
 * Access Token (or a legacy API key), lets the broker prove and store it, and reports
 * the outcome. The credential never leaves the form except in the request to the
 * broker, and is cleared after success.
 *
 * @tagname nerm-connect
 * @summary Collects and validates a NERM tenant URL and credential, and connects it through the broker.
 *
 * @fires nerm-connect-success - `{publicToken, integratedAccountId, tenantHost}`, once per successful connect.
 * @fires nerm-connect-error - `{code, message, requestId?}` for every failed attempt.
 * @fires nerm-connect-exit - `{reason}` when the user is done or gives up.
 * @fires nerm-connect-event - `{name}` for every step: open, validate, submit, cancel, success, error, exit.
 *
 * @csspart container - The outer section.
 * @csspart header - Title and introduction.
 * @csspart title - The heading.
 * @csspart intro - The introduction text.
 * @csspart form - The form.
 * @csspart field - Each field wrapper (label, input, help, error).
 * @csspart label - Each field label.
 * @csspart input - Each text input.
 * @csspart help - Each help text.
 * @csspart error - Each field error.
 * @csspart preview - The normalised tenant host under the URL field.
 * @csspart auth-choice - The auth-type fieldset.
 * @csspart choice - Each auth-type option.
 * @csspart reveal - The show/hide buttons of secret fields.
 * @csspart advanced - The advanced (token URL) disclosure.
 * @csspart form-error - The message that belongs to no single field.
 * @csspart actions - The button row.
 * @csspart button - Every button.
 * @csspart submit - The Connect button.
 * @csspart secondary - Cancel and Done.
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

  /** Base URL of the nerm-connect broker. */
  @property({ attribute: 'broker-url' }) brokerUrl = '';

  /** The link token your backend created (POST /link-tokens). Setting a new one recovers from expiry. */
  @property({ attribute: 'link-token' }) linkToken = '';

  /** `en`, `de`, `fr`, `es` or `ja` (region subtags allowed); defaults to the page language. */
  @property() locale: string | undefined;

  @property({ reflect: true }) theme: Theme = 'light';

  /** Overrides for any text, per key (and `errors` per code). */
  @property({ attribute: false }) strings: StringOverrides | undefined;

  @state() private _phase: Phase = 'idle';
  @state() private _authType: AuthType = 'pat';
  @state() private _tenantUrl = '';
  @state() private _clientId = '';
  @state() private _clientSecret = '';
  @state() private _tokenUrl = '';
  @state() private _apiKey = '';
  @state() private _revealed = new Set<FieldId>();
  @state() private _errors: Partial<Record<FieldId, string>> = {};
  @state() private _formError: { message: string; requestId?: string | undefined } | undefined;
  @state() private _status = '';
  @state() private _connectedHost = '';
  @state() private _retryAt = 0;
  @state() private _localeStrings: NermConnectStrings = en;

  private _abort: AbortController | undefined;
  private _retryTimer: ReturnType<typeof setTimeout> | undefined;
  private _loadedLocale: SupportedLocale = 'en';
  private _requestedLocale: SupportedLocale | undefined;
  private _sessionFor = '';

  /** Resolves once the texts of the current locale are loaded (for tests and hosts). */
  localeReady: Promise<void> = Promise.resolve();

  /** The texts in use: the locale's, with the page's overrides on top. */
  private _t: NermConnectStrings = en;

  override connectedCallback(): void {
    super.connectedCallback();
    this._loadLocale();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._abort?.abort();
    clearTimeout(this._retryTimer);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('locale')) this._loadLocale();
    if (changed.has('strings')) this._t = mergeStrings(this._localeStrings, this.strings);
    if (changed.has('linkToken') && changed.get('linkToken') !== undefined) {
      // A fresh link token starts a fresh connection, whatever happened before.
      if (this._phase === 'expired' || this._phase === 'success') this._phase = 'idle';
      this._formError = undefined;
    }
  }

  protected override firstUpdated(): void {
    this._step('open');
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (
      (changed.has('linkToken') || changed.has('brokerUrl')) &&
      this.linkToken &&
      this.brokerUrl
    ) {
      void this._checkSession();
    }
  }

  override render(): TemplateResult {
    const t = this._t;
    return html`
      <section part="container" aria-labelledby="title" lang=${this._loadedLocale}>
        <header part="header">
          <h2 id="title" part="title">${t.title}</h2>
          <p class="intro" part="intro">${t.intro}</p>
        </header>
        ${this._phase === 'success' ? this._renderSuccess(t) : this._phase === 'expired' ? this._renderExpired(t) : this._renderForm(t)}
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

  // ---- views -------------------------------------------------------------------

  private _renderForm(t: NermConnectStrings): TemplateResult {
    const busy = this._phase === 'submitting';
    const waiting = this._retryAt > Date.now();
    const preview = normalizeTenantUrl(this._tenantUrl);
    return html`
      <form part="form" novalidate @submit=${this._onSubmit}>
        ${this._renderField({
          id: 'tenant-url',
          help: t.tenantUrlHelp,
          value: this._tenantUrl,
          onInput: (v) => (this._tenantUrl = v),
          autocomplete: 'url',
          inputmode: 'url',
          extra:
            preview.ok && !this._errors['tenant-url']
              ? html`<p class="preview" part="preview">
                  ${format(t.tenantUrlPreview, { host: preview.host })}
                </p>`
              : nothing,
        })}
        <fieldset part="auth-choice" ?disabled=${busy}>
          <legend>${t.authLegend}</legend>
          ${this._renderChoice('pat', t.authPat, t.authPatHint)}
          ${this._renderChoice('api_key', t.authApiKey, t.authApiKeyHint)}
        </fieldset>
        ${
          this._authType === 'pat'
            ? html`
                ${this._renderField({
                  id: 'client-id',
                  help: t.clientIdHelp,
                  value: this._clientId,
                  onInput: (v) => (this._clientId = v),
                })}
                ${this._renderField({
                  id: 'client-secret',
                  help: t.clientSecretHelp,
                  value: this._clientSecret,
                  onInput: (v) => (this._clientSecret = v),
                  secret: true,
                })}
                <details
                  part="advanced"
                  ?open=${this._tokenUrl !== '' || this._errors['token-url'] !== undefined}
                >
                  <summary>${t.advanced}</summary>
                  ${this._renderField({
                    id: 'token-url',
                    help: t.tokenUrlHelp,
                    value: this._tokenUrl,
                    onInput: (v) => (this._tokenUrl = v),
                    inputmode: 'url',
                    required: false,
                  })}
                </details>
              `
            : this._renderField({
                id: 'api-key',
                help: t.apiKeyHelp,
                value: this._apiKey,
                onInput: (v) => (this._apiKey = v),
                secret: true,
              })
        }
        ${
          this._formError
            ? html`<p class="form-error" part="form-error" id="form-error">
                ${this._formError.message}
                ${this._formError.requestId ? html`<small>${format(t.reference, { requestId: this._formError.requestId })}</small>` : nothing}
              </p>`
            : nothing
        }
        <div class="actions" part="actions">
          <button
            class="primary"
            part="button submit"
            type="submit"
            ?disabled=${busy || waiting}
            aria-describedby=${ifDefined(this._formError ? 'form-error' : undefined)}
          >
            ${busy ? html`<span class="spinner" aria-hidden="true"></span>${t.submitting}` : t.submit}
          </button>
          <button
            class="secondary"
            part="button secondary"
            type="button"
            @click=${busy ? this._onCancel : this._onExit}
          >
            ${t.cancel}
          </button>
        </div>
      </form>
    `;
  }

  private _renderChoice(value: AuthType, label: string, hint: string): TemplateResult {
    return html`<label class="choice" part="choice">
      <input
        type="radio"
        name="auth-type"
        .value=${value}
        .checked=${live(this._authType === value)}
        @change=${() => this._chooseAuth(value)}
      />
      <span>${label}<small>${hint}</small></span>
    </label>`;
  }

  private _renderField(f: {
    id: FieldId;
    help: string;
    value: string;
    onInput: (value: string) => void;
    secret?: boolean;
    autocomplete?: string;
    inputmode?: string;
    required?: boolean;
    extra?: unknown;
  }): TemplateResult {
    const error = this._errors[f.id];
    const revealed = this._revealed.has(f.id);
    const describedBy = [`${f.id}-help`, error ? `${f.id}-error` : ''].filter(Boolean).join(' ');
    const input = html`<input
      id=${f.id}
      part="input"
      type=${f.secret && !revealed ? 'password' : 'text'}
      .value=${live(f.value)}
      @input=${(e: Event) => {
        f.onInput((e.target as HTMLInputElement).value);
        if (this._errors[f.id]) this._errors = { ...this._errors, [f.id]: undefined };
      }}
      ?required=${f.required !== false}
      ?disabled=${this._phase === 'submitting'}
      aria-invalid=${error ? 'true' : 'false'}
      aria-describedby=${describedBy}
      autocomplete=${f.secret ? 'off' : (f.autocomplete ?? 'off')}
      inputmode=${ifDefined(f.inputmode)}
      spellcheck="false"
      autocapitalize="off"
    />`;
    return html`<div class="field" part="field">
      <label part="label" for=${f.id}>${this._labelOf(f.id)}</label>
      ${
        f.secret
          ? html`<div class="secret">
              ${input}
              <button
                class="reveal"
                part="reveal"
                type="button"
                aria-label=${this._t.show}
                title=${revealed ? this._t.hide : this._t.show}
                aria-pressed=${revealed ? 'true' : 'false'}
                aria-controls=${f.id}
                ?disabled=${this._phase === 'submitting'}
                @click=${() => this._toggleReveal(f.id)}
              >
                <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                  ${revealed ? eyeOff : eye}
                </svg>
              </button>
            </div>`
          : input
      }
      <p class="help" part="help" id="${f.id}-help">${f.help}</p>
      ${f.extra ?? nothing}
      ${error ? html`<p class="error" part="error" id="${f.id}-error">${error}</p>` : nothing}
    </div>`;
  }

  private _renderSuccess(t: NermConnectStrings): TemplateResult {
    return html`<div class="outcome success" part="outcome">
      <h3 tabindex="-1">${format(t.successTitle, { host: this._connectedHost })}</h3>
      <p>${t.successBody}</p>
      <button class="secondary" part="button secondary" type="button" @click=${this._onDone}>
        ${t.done}
      </button>
    </div>`;
  }

  private _renderExpired(t: NermConnectStrings): TemplateResult {
    return html`<div class="outcome" part="outcome">
      <h3 tabindex="-1">${t.expiredTitle}</h3>
      <p>${t.expiredBody}</p>
    </div>`;
  }

  // ---- behaviour ---------------------------------------------------------------

  private _step(name: NermConnectStep, extra: { valid?: boolean; code?: string } = {}): void {
    this.dispatchEvent(new NermConnectStepEvent({ name, ...extra }));
  }

  private _loadLocale(): void {
    const locale = resolveLocale(
      this.locale ?? this.closest('[lang]')?.getAttribute('lang') ?? navigator.language,
    );
    if (locale === this._requestedLocale) return;
    this._requestedLocale = locale;
    this.localeReady = loadStrings(locale).then(
      (strings) => {
        if (this._requestedLocale !== locale) return;
        this._loadedLocale = locale;
        this._localeStrings = strings;
        this._t = mergeStrings(strings, this.strings);
      },
      () => {
        // A locale chunk that fails to load leaves the element in English, not broken.
        this._loadedLocale = 'en';
        this._localeStrings = en;
        this._t = mergeStrings(en, this.strings);
      },
    );
  }

  private _chooseAuth(type: AuthType): void {
    this._authType = type;
    this._errors = {};
    this._formError = undefined;
  }

  private _toggleReveal(id: FieldId): void {
    const next = new Set(this._revealed);
    if (!next.delete(id)) next.add(id);
    this._revealed = next;
  }

  private async _checkSession(): Promise<void> {
    const key = `${this.brokerUrl}\n${this.linkToken}`;
    if (this._sessionFor === key) return;
    this._sessionFor = key;
    let outcome: broker.SessionOutcome;
    try {
      outcome = await broker.session(this.brokerUrl, this.linkToken);
    } catch {
      return;
    }
    if (this._sessionFor !== key) return;
    if (outcome.ok) {
      // A re-authentication link names its tenant: fill it in.
      if (outcome.tenantHost && this._tenantUrl === '') this._tenantUrl = outcome.tenantHost;
    } else if (outcome.code === 'link_token_invalid' && this._phase === 'idle') {
      // Say so now, before anything is typed; the form stays, so a host page that hands
      // over a fresh link token loses nothing. Submitting the dead link ends in _expire().
      const t = this._t;
      const message = t.errors.link_token_invalid ?? t.expiredTitle;
      this._formError = { message: `${t.expiredTitle}. ${t.expiredBody}` };
      this._status = t.expiredTitle;
      this.dispatchEvent(new NermConnectErrorEvent({ code: 'link_token_invalid', message }));
      this._step('error', { code: 'link_token_invalid' });
    }
  }

  private _validate(): Partial<Record<FieldId, string>> {
    const t = this._t;
    const errors: Partial<Record<FieldId, string>> = {};
    const tenant = normalizeTenantUrl(this._tenantUrl);
    if (!tenant.ok) {
      errors['tenant-url'] =
        tenant.problem === 'empty'
          ? t.required
          : tenant.problem === 'credentials_in_url'
            ? t.tenantUrlCredentials
            : tenant.problem === 'unsupported_scheme'
              ? t.tenantUrlScheme
              : t.tenantUrlProblem;
    }
    if (this._authType === 'pat') {
      if (this._clientId.trim() === '') errors['client-id'] = t.required;
      if (this._clientSecret.trim() === '') errors['client-secret'] = t.required;
      if (this._tokenUrl.trim() !== '' && !/^https?:\/\/[^\s/@]+/.test(this._tokenUrl.trim())) {
        errors['token-url'] = t.tokenUrlInvalid;
      }
    } else if (this._apiKey.trim() === '') {
      errors['api-key'] = t.required;
    }
    return errors;
  }

  private _labelOf(id: FieldId): string {
    const t = this._t;
    return {
      'tenant-url': t.tenantUrlLabel,
      'client-id': t.clientIdLabel,
      'client-secret': t.clientSecretLabel,
      'token-url': t.tokenUrlLabel,
      'api-key': t.apiKeyLabel,
    }[id];
  }

  private _payload(): broker.ConnectPayload {
    const auth: broker.ConnectPayload['auth'] =
      this._authType === 'pat'
        ? {
            type: 'pat',
            client_id: this._clientId.trim(),
            client_secret: this._clientSecret.trim(),
            ...(this._tokenUrl.trim() ? { token_url: this._tokenUrl.trim() } : {}),
          }
        : { type: 'api_key', api_key: this._apiKey.trim() };
    return { tenant_url: this._tenantUrl.trim(), auth };
  }

  private async _onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this._phase === 'submitting' || this._retryAt > Date.now()) return;
    this._formError = undefined;
    const errors = this._validate();
    const valid = Object.keys(errors).length === 0;
    this._step('validate', { valid });
    this._errors = errors;
    if (!valid) {
      const first = FIELD_ORDER.find((id) => errors[id]);
      this._status = first ? `${this._labelOf(first)}: ${errors[first]}` : '';
      await this._focusFirstError();
      return;
    }
    if (!this.linkToken) return this._expire();

    const abort = new AbortController();
    this._abort = abort;
    this._phase = 'submitting';
    this._status = this._t.submitting;
    this._step('submit');
    let outcome: broker.ConnectOutcome;
    try {
      outcome = await broker.connect(this.brokerUrl, this.linkToken, this._payload(), abort.signal);
    } catch {
      return; // cancelled: _onCancel already restored the form
    } finally {
      if (this._abort === abort) this._abort = undefined;
    }
    if (abort.signal.aborted) return;
    if (outcome.ok) this._succeed(outcome);
    else await this._fail(outcome);
  }

  private _succeed(outcome: Extract<broker.ConnectOutcome, { ok: true }>): void {
    // The credential leaves the form now: nothing of it stays in the element.
    this._clientSecret = '';
    this._apiKey = '';
    this._clientId = '';
    this._tokenUrl = '';
    this._revealed = new Set();
    this._errors = {};
    this._connectedHost = outcome.tenantHost;
    this._phase = 'success';
    this._status = format(this._t.successTitle, { host: outcome.tenantHost });
    this.dispatchEvent(
      new NermConnectSuccessEvent({
        publicToken: outcome.publicToken,
        integratedAccountId: outcome.integratedAccountId,
        tenantHost: outcome.tenantHost,
      }),
    );
    this._step('success');
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>('.outcome h3')?.focus(),
    );
  }

  private async _fail(failure: broker.BrokerFailure): Promise<void> {
    const t = this._t;
    if (failure.code === 'link_token_invalid') return this._expire();
    this._phase = 'idle';
    let message: string;
    if (failure.code === 'network_error') message = t.networkError;
    else if (failure.code === 'rate_limited') {
      const seconds = failure.retryAfter ?? 30;
      message = format(t.rateLimited, { seconds });
      this._holdOff(seconds);
    } else message = t.errors[failure.code] ?? t.errors.internal ?? en.errors.internal ?? '';

    const fields = this._fieldsFor(failure);
    if (fields.length > 0) {
      this._errors = Object.fromEntries(fields.map((field) => [field, message]));
    } else {
      this._formError = {
        message,
        requestId: failure.code === 'network_error' ? undefined : failure.requestId,
      };
    }
    this._status = message;
    this.dispatchEvent(
      new NermConnectErrorEvent({
        code: failure.code,
        message,
        ...(failure.requestId ? { requestId: failure.requestId } : {}),
      }),
    );
    this._step('error', { code: failure.code });
    await this._focusFirstError();
  }

  /** Which fields a broker failure belongs to: its issue paths first, else its code. */
  private _fieldsFor(failure: broker.BrokerFailure): FieldId[] {
    const visible = (field: FieldId) =>
      field === 'tenant-url' ||
      (this._authType === 'pat' ? field !== 'api-key' : field === 'api-key');
    const fromIssues = failure.issues
      .map((issue) => FIELD_FOR_PATH[issue.path.join('.')])
      .filter((f): f is FieldId => f !== undefined && visible(f));
    if (fromIssues.length > 0) return [...new Set(fromIssues)];
    const target = failure.code === 'network_error' ? undefined : FIELD_FOR_CODE[failure.code];
    if (!target) return [];
    return [
      target === 'secret' ? (this._authType === 'pat' ? 'client-secret' : 'api-key') : target,
    ];
  }

  private _holdOff(seconds: number): void {
    this._retryAt = Date.now() + seconds * 1000;
    clearTimeout(this._retryTimer);
    this._retryTimer = setTimeout(() => {
      this._retryAt = 0;
    }, seconds * 1000);
  }

  private _expire(): void {
    const already = this._phase === 'expired';
    this._abort?.abort();
    this._phase = 'expired';
    this._clientSecret = '';
    this._apiKey = '';
    this._status = this._t.expiredTitle;
    if (already) return;
    const message = this._t.errors.link_token_invalid ?? this._t.expiredTitle;
    this.dispatchEvent(new NermConnectErrorEvent({ code: 'link_token_invalid', message }));
    this._step('error', { code: 'link_token_invalid' });
  }

  private async _focusFirstError(): Promise<void> {
    await this.updateComplete;
    const first = FIELD_ORDER.find((id) => this._errors[id]);
    const target = first
      ? this.renderRoot.querySelector<HTMLElement>(`#${first}`)
      : this.renderRoot.querySelector<HTMLElement>('button[type="submit"]');
    target?.focus();
  }

  private _onCancel(): void {
    this._abort?.abort();
    this._abort = undefined;
    this._phase = 'idle';
    this._status = '';
    this._step('cancel');
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>('button[type="submit"]')?.focus(),
    );
  }

  private _onExit(): void {
    this._step('exit');
    this.dispatchEvent(new NermConnectExitEvent({ reason: 'cancel' }));
  }

  private _onDone(): void {
    this._step('exit');
    this.dispatchEvent(new NermConnectExitEvent({ reason: 'done' }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nerm-connect': NermConnect;
  }
}
