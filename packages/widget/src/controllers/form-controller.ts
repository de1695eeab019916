import {
  html,
  nothing,
  type ReactiveController,
  type ReactiveControllerHost,
  type TemplateResult,
} from 'lit';
import {
  EMPTY_FORM,
  labelOf,
  type AuthType,
  type FieldErrors,
  type FieldId,
  type FormValues,
} from '../form.ts';
import type { NermConnectStrings } from '../i18n/strings.ts';
import { ifDefined } from 'lit/directives/if-defined.js';
import * as view from '../views.ts';

/** A failure shown on one field (`field`) or for the whole form. */
export interface Failure {
  field?: FieldId;
  message: string;
  /** Under the message: the broker's own words and the request id (outcomes.ts). */
  note?: unknown;
}

/**
 * The form's state: the chosen sign-in method, what was typed, which secrets are shown,
 * and the errors on display. Every change re-renders the host.
 */
export class FormController implements ReactiveController {
  authType: AuthType = 'pat';
  values: FormValues = { ...EMPTY_FORM };
  errors: FieldErrors = {};
  failure: Failure | undefined;
  private _revealed = new Set<FieldId>();

  constructor(private readonly _host: ReactiveControllerHost) {
    _host.addController(this);
  }

  hostConnected(): void {}

  /** What the user typed: the field's error goes as soon as it is edited. */
  input(id: FieldId, value: string): void {
    this.values = { ...this.values, [id]: value };
    if (this.errors[id]) this.errors = { ...this.errors, [id]: undefined };
    if (this.failure?.field === id) this.failure = undefined;
    this._host.requestUpdate();
  }

  choose(type: AuthType): void {
    this.authType = type;
    this.clearErrors();
  }

  fill(values: Partial<FormValues>): void {
    this.values = { ...this.values, ...values };
    this.clearErrors();
  }

  clearErrors(): void {
    this.errors = {};
    this.failure = undefined;
    this._host.requestUpdate();
  }

  show(errors: FieldErrors, failure?: Failure): void {
    this.errors = errors;
    this.failure = failure;
    this._host.requestUpdate();
  }

  /** Forgets the secrets (a dead link), or everything (after success). */
  forget(all: boolean): void {
    this.values = all ? { ...EMPTY_FORM } : { ...this.values, 'client-secret': '', 'api-key': '' };
    this._revealed = new Set();
    if (all) this.errors = {};
    this._host.requestUpdate();
  }

  /** A field: label, input (a reveal toggle for secrets), help, anything `extra`, its error. */
  field(
    t: NermConnectStrings,
    id: FieldId,
    help: string,
    disabled: boolean,
    options: {
      autocomplete?: string;
      inputmode?: string;
      required?: boolean;
      secret?: boolean;
      /** Rendered under the help (the tenant preview). */
      extra?: unknown;
    } = {},
  ): TemplateResult {
    const error = this.errors[id];
    const revealed = this._revealed.has(id);
    const input = html`<input
      id=${id}
      part="input"
      type=${options.secret && !revealed ? 'password' : 'text'}
      .value=${this.values[id]}
      @input=${(e: Event) => this.input(id, (e.target as HTMLInputElement).value)}
      ?required=${options.required !== false}
      ?disabled=${disabled}
      aria-invalid=${error ? 'true' : 'false'}
      aria-describedby=${error ? `${id}-help ${id}-error` : `${id}-help`}
      autocomplete=${options.autocomplete ?? 'off'}
      inputmode=${ifDefined(options.inputmode)}
      spellcheck="false"
      autocapitalize="off"
    />`;
    return html`<div class="field" part="field">
      <label part="label" for=${id}>${labelOf(t, id)}</label>
      ${
        options.secret
          ? html`<div class="secret">
              ${input}
              <button
                class="reveal"
                part="reveal"
                type="button"
                aria-label=${t.show}
                aria-pressed=${revealed ? 'true' : 'false'}
                aria-controls=${id}
                ?disabled=${disabled}
                @click=${() => this._toggle(id)}
              >
                ${view.eyeIcon(revealed)}
              </button>
            </div>`
          : input
      }
      <p class="help" part="help" id="${id}-help">${help}</p>
      ${options.extra ?? nothing}
      ${
        error
          ? html`<p class="error" part="error" id="${id}-error">
              ${error}${this.failure?.field === id ? this.failure.note : nothing}
            </p>`
          : nothing
      }
    </div>`;
  }

  /** The sign-in method, with the link to SailPoint's help for the chosen one. */
  authChoice(t: NermConnectStrings, disabled: boolean): TemplateResult {
    return html`<fieldset part="auth-choice" ?disabled=${disabled}>
      <legend>${t.authLegend}</legend>
      ${this.choice('pat', t.authPat, t.authPatHint)}
      ${this.choice('api_key', t.authApiKey, t.authApiKeyHint)}
      <a
        class="help-link"
        part="help-link"
        href=${view.HELP_URL}
        target="_blank"
        rel="noopener noreferrer"
      >
        ${this.authType === 'pat' ? t.helpPat : t.helpApiKey}
      </a>
    </fieldset>`;
  }

  choice(value: AuthType, label: string, hint: string): TemplateResult {
    return html`<label class="choice" part="choice">
      <input
        type="radio"
        name="auth-type"
        .value=${value}
        .checked=${this.authType === value}
        @change=${() => this.choose(value)}
      />
      <span>${label}<small>${hint}</small></span>
    </label>`;
  }

  private _toggle(id: FieldId): void {
    const next = new Set(this._revealed);
    if (!next.delete(id)) next.add(id);
    this._revealed = next;
    this._host.requestUpdate();
  }
}
