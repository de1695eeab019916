import { initialState, Task, TaskStatus } from '@lit/task';
import type { ReactiveController, TemplateResult } from 'lit';
import type { FormController } from './controllers/form-controller.ts';
import type { LocaleController } from './controllers/locale-controller.ts';
import { failureNote, fieldsFor, messageFor, warnIfSetup } from './failures.ts';
import type { NermConnectStrings } from './i18n/strings.ts';
import {
  FIELD_ORDER,
  FIELDS_OF,
  payload,
  sandboxValues,
  tenantHost,
  validate,
} from './form-rules.ts';
import type { Kit } from './load-on-demand.ts';
import type { NermConnect } from './nerm-connect.ts';
import type { NermConnectStep } from './events/nerm-connect-step-event.ts';
import { expiredView, LinkRecovery, styles, successView } from './outcomes.ts';
import {
  fetchTransport,
  localFailure,
  type BrokerFailure,
  type ConnectOutcome,
  type ConnectPayload,
  type SessionOutcome,
} from './transport.ts';

/**
 * Everything `<nerm-connect>` does after its first paint, as one reactive controller the
 * element adds when the on-demand chunk arrives (asked for as the element connects): the
 * session check, submit (validation, the request, Cancel), where a failure goes, the
 * rate-limit hold, the success and expired screens and their styles, and focus after each.
 *
 * It touches only the element's public members and the form's and locale's controllers
 * (private `_names` are shortened per file, so another file's would not match).
 */
export class ConnectFlow implements ReactiveController {
  /** The polite live region's text. */
  status = '';
  private _connectedHost: string | undefined;
  private _retryAt = 0;
  private _retryTimer: ReturnType<typeof setTimeout> | undefined;
  private _token: string;
  /** Added when a link first dies. */
  private _recovery: LinkRecovery | undefined;

  /** Checks the link as soon as there is one: a dead link, or the tenant to re-authenticate. */
  private readonly _session: Task;
  private readonly _submit: Task<readonly [ConnectPayload], ConnectOutcome>;

  constructor(
    private readonly _host: NermConnect,
    private readonly _form: FormController,
    private readonly _i18n: LocaleController,
    private readonly _kit: Kit,
  ) {
    this._token = _host.linkToken;
    this._session = new Task(_host, {
      task: async ([transport, brokerUrl, linkToken], { signal }) =>
        brokerUrl && linkToken ? transport.session(brokerUrl, linkToken, signal) : initialState,
      args: () => [_host.transport ?? fetchTransport, _host.brokerUrl, _host.linkToken] as const,
      onComplete: (outcome: SessionOutcome) => this._sessionChecked(outcome),
    });
    this._submit = new Task(_host, {
      task: async ([body], { signal }) => {
        const transport = _host.transport ?? fetchTransport;
        const outcome = await transport.connect(_host.brokerUrl, _host.linkToken, body, signal);
        signal.throwIfAborted(); // a transport that ignores the signal cannot succeed after Cancel
        return outcome;
      },
      autoRun: false,
      onComplete: (outcome) => (outcome.ok ? this._succeed(outcome) : void this._fail(outcome)),
    });
    _host.addController(this);
    // What only this chunk renders is styled by it, next to the element's own sheet.
    const root = _host.renderRoot as ShadowRoot;
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, styles()];
  }

  get busy(): boolean {
    return this._submit.status === TaskStatus.PENDING;
  }

  /** Connect is held back (rate limited). */
  get held(): boolean {
    return this._retryAt > Date.now();
  }

  hostUpdate(): void {
    // A fresh link token starts a fresh connection, whatever happened before.
    if (this._host.linkToken !== this._token) {
      this._token = this._host.linkToken;
      this._connectedHost = undefined;
      this._form.clearErrors();
    }
  }

  hostDisconnected(): void {
    this._submit.abort();
    clearTimeout(this._retryTimer);
  }

  /** The success or expired screen in place of the form, if one is due. */
  outcome(t: NermConnectStrings, app: string, onDone: () => void): TemplateResult | undefined {
    if (this._connectedHost !== undefined)
      return successView(this._kit, t, this._connectedHost, app, onDone);
    if (this._recovery?.expired) return expiredView(this._kit, t, this._recovery);
    return undefined;
  }

  /** The host the tenant URL names, for the preview under the field. */
  tenantHost(value: string): string | undefined {
    return tenantHost(value);
  }

  fillSandbox(): void {
    const sandbox = this._host.sandbox;
    if (sandbox) this._form.fill(sandboxValues(sandbox, this._form.authType));
  }

  async submit(): Promise<void> {
    if (this.busy || this.held) return;
    // Error texts load with the first submit, not the page.
    await this._i18n.errors();
    const t = this._i18n.t;
    const errors = validate(this._form.values, this._form.authType, t);
    const first = FIELD_ORDER.find((id) => errors[id]);
    this._step('validate', { valid: first === undefined });
    this._form.show(errors);
    if (first) {
      this._say(`${this._kit.labelOf(t, first)}: ${errors[first]}`);
      void this._focusFirstError();
      return;
    }
    if (!this._host.brokerUrl) return void this._fail(localFailure('broker_url_missing'));
    if (!this._host.linkToken) return void this._fail(localFailure('link_token_missing'));
    this._say(t.submitting);
    this._step('submit');
    void this._submit.run([payload(this._form.values, this._form.authType)]);
  }

  async cancel(): Promise<void> {
    this._submit.abort();
    this._say('');
    this._step('cancel');
    await this._submit.taskComplete.catch(() => {});
    await this._focus('button[type="submit"]');
  }

  // ---- behaviour ---------------------------------------------------------------

  private _say(status: string): void {
    this.status = status;
    this._host.requestUpdate();
  }

  private _step(name: NermConnectStep, extra: { valid?: boolean; code?: string } = {}): void {
    this._host.dispatchEvent(new this._kit.Step({ name, ...extra }));
  }

  private _sessionChecked(outcome: SessionOutcome): void {
    if (outcome.ok) {
      // A re-authentication link names its tenant: fill it in, scheme included.
      if (outcome.tenantUrl && this._form.values['tenant-url'] === '')
        this._form.fill({ 'tenant-url': outcome.tenantUrl });
      return;
    }
    if (
      outcome.code === 'network_error' ||
      this._connectedHost !== undefined ||
      this._recovery?.expired
    )
      return;
    // Say so now, before anything is typed; the form stays, so a host page that hands
    // over a fresh link token loses nothing. Submitting a dead link shows the expired screen.
    void this._report(outcome, true);
  }

  private _succeed(outcome: Extract<ConnectOutcome, { ok: true }>): void {
    // The credential leaves the form now: nothing of it stays in the element.
    this._form.forget(true);
    this._connectedHost = outcome.tenantHost;
    this._say(this._kit.format(this._i18n.t.successTitle, { host: outcome.tenantHost }));
    this._host.dispatchEvent(
      new this._kit.Success({
        publicToken: outcome.publicToken,
        integratedAccountId: outcome.integratedAccountId,
        tenantHost: outcome.tenantHost,
      }),
    );
    this._step('success');
    void this._focus('.outcome h3');
  }

  private async _fail(failure: BrokerFailure): Promise<void> {
    if (failure.code === 'link_token_invalid') {
      this._form.forget(false);
      // Cancelable: a host that will set a fresh linkToken says so with preventDefault().
      const ask = () =>
        !this._host.dispatchEvent(new this._kit.Recover({ reason: 'link_token_invalid' }));
      (this._recovery ??= new LinkRecovery(this._host, ask)).expire();
    } else if (failure.code === 'rate_limited') {
      this._holdOff(failure.retryAfter ?? 30);
    }
    await this._report(failure, false);
    await this._focusFirstError();
  }

  /** Shows a failure where it can be fixed, announces it, and tells the host. */
  private async _report(failure: BrokerFailure, keepForm: boolean): Promise<void> {
    await this._i18n.errors();
    const t = this._i18n.t;
    const { code, requestId } = failure;
    const message = messageFor(this._kit, failure, t);
    warnIfSetup(failure);
    const { authType } = this._form;
    const fields =
      keepForm || code === 'link_token_invalid'
        ? []
        : fieldsFor(failure, authType, FIELDS_OF[authType]);
    this._form.show(Object.fromEntries(fields.map((f) => [f, message])), {
      ...(fields[0] ? { field: fields[0] } : {}),
      message,
      note: failureNote(this._kit, t, failure),
    });
    this._say(message);
    this._host.dispatchEvent(
      new this._kit.Error({ code, message, ...(requestId ? { requestId } : {}) }),
    );
    this._step('error', { code });
  }

  private _holdOff(seconds: number): void {
    this._retryAt = Date.now() + seconds * 1000;
    clearTimeout(this._retryTimer);
    this._retryTimer = setTimeout(() => {
      this._retryAt = 0;
      this._host.requestUpdate();
    }, seconds * 1000);
  }

  private async _focus(selector: string): Promise<void> {
    await this._host.updateComplete;
    this._host.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  private async _focusFirstError(): Promise<void> {
    if (this._recovery?.expired) return;
    const first = FIELD_ORDER.find((id) => this._form.errors[id]);
    await this._focus(first ? `#${first}` : 'button[type="submit"]');
  }
}
