import {
  html,
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

  field(
    t: NermConnectStrings,
    id: FieldId,
    help: string,
    disabled: boolean,
    options: Partial<Pick<view.FieldView, 'autocomplete' | 'inputmode' | 'required' | 'extra'>> & {
      secret?: boolean;
    } = {},
  ): TemplateResult {
    const { secret, ...rest } = options;
    const failure = this.failure?.field === id ? this.failure : undefined;
    return view.field({
      ...rest,
      id,
      label: labelOf(t, id),
      help,
      value: this.values[id],
      error: this.errors[id],
      note: failure?.note,
      disabled,
      onInput: (value) => this.input(id, value),
      ...(secret
        ? {
            secret: {
              revealed: this._revealed.has(id),
              toggle: () => this._toggle(id),
              show: t.show,
            },
          }
        : {}),
    });
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
