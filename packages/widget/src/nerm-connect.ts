import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { ConnectFlow } from './connect-flow.ts';
import { FormController } from './controllers/form-controller.ts';
import { LocaleController } from './controllers/locale-controller.ts';
import { NermConnectExitEvent } from './events/nerm-connect-exit-event.ts';
import { NermConnectStepEvent } from './events/nerm-connect-step-event.ts';
import type { NermConnectSandbox } from './form.ts';
import { format, type NermConnectStrings, type StringOverrides } from './i18n/strings.ts';
import { kit, loadOnDemand } from './load-on-demand.ts';
import { styles } from './nerm-connect.styles.ts';
import type { NermConnectTransport } from './transport.ts';
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

  /** How the element reaches the broker; unset, it speaks HTTP to `brokerUrl`. */
  transport: NermConnectTransport | undefined;

  /** Test credentials to offer with a "Use sandbox credentials" button per sign-in method. */
  sandbox: NermConnectSandbox | undefined;

  private readonly _i18n = new LocaleController(this);
  private readonly _form = new FormController(this);
  /** What the element does after its first paint (connect-flow.ts), once its chunk is here. */
  private _flow: ConnectFlow | undefined;

  /** Resolves once the texts of the current locale are loaded (for tests and hosts). */
  get localeReady(): Promise<void> {
    return this._i18n.ready;
  }

  private get _app(): string {
    return this.appName || this._i18n.t.appFallback;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Asked for now, so it is here before anyone types: the first paint does not wait.
    void this._load();
  }

  protected override firstUpdated(): void {
    this._step('open');
  }

  override render(): TemplateResult {
    const t = this._i18n.t;
    const flow = this._flow;
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
        ${flow?.outcome(t, this._app, () => this._exit('done')) ?? this._renderForm(t, flow)}
        <div
          class="visually-hidden"
          part="status"
          role="status"
          aria-live="polite"
          aria-atomic="true"
        >
          ${flow?.status}
        </div>
      </section>
    `;
  }

  private _renderForm(t: NermConnectStrings, flow: ConnectFlow | undefined): TemplateResult {
    const busy = flow?.busy ?? false;
    const previewHost = flow?.tenantHost(this._form.values['tenant-url']);
    const pat = this._form.authType === 'pat';
    const failure = this._form.failure;
    const sandbox = this.sandbox;
    const offersSandbox = pat ? sandbox?.clientId && sandbox.clientSecret : sandbox?.apiKey;
    return html`
      ${view.accessList(t, this._app, this.access !== 'read')}
      <form part="form" novalidate @submit=${this._onSubmit}>
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
        ${offersSandbox ? view.sandboxButton(t, busy, () => flow?.fillSandbox()) : nothing}
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
          held: flow?.held ?? false,
          describedBy: failure && !failure.field ? 'form-error' : undefined,
          onSecondary: busy ? () => flow?.cancel() : () => this._exit('cancel'),
        })}
      </form>
    `;
  }

  // ---- behaviour (the rest is connect-flow.ts, on demand) --------------------------

  /** The on-demand chunk, and with it the flow. */
  private async _load(): Promise<ConnectFlow | undefined> {
    const out = await loadOnDemand();
    if (out && !this._flow) {
      this._flow = new out.ConnectFlow(this, this._form, this._i18n, kit);
      this.requestUpdate();
    }
    return this._flow;
  }

  private async _onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const flow = this._flow ?? (await this._load());
    // Without its chunk (no network) nothing can be checked or sent.
    if (flow) await flow.submit();
    else this._form.show({}, { message: this._i18n.t.networkError });
  }

  private _step(name: 'open' | 'exit'): void {
    this.dispatchEvent(new NermConnectStepEvent({ name }));
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
