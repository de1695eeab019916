import {
  credentialCharProblem,
  normalizeTenantUrl,
  type ErrorCode,
} from '@nerm-connect/shared/lite';
import type { html as litHtml, nothing as litNothing, TemplateResult } from 'lit';
import type { AuthType, FieldErrors, FieldId, FormValues } from './form.ts';
import type { format as formatFn, NermConnectStrings } from './i18n/strings.ts';
import type { BrokerFailure } from './transport.ts';

// Everything `<nerm-connect>` needs only once someone types, presses Connect or meets a
// dead link: reading the tenant URL, validation, how a failure reads and where it goes,
// the success and expired screens. Loaded then, never with the page
// (docs/decisions/0022-one-file-and-lazy-chunks.md).
//
// This chunk imports nothing from the main file: what it needs of Lit (and `format`)
// comes in as `kit`, and the element dispatches its own events. A chunk that imported the main file would load a second Lit on a
// page that serves nerm-connect.js under another name.

/** What the main file lends this chunk. */
export interface Kit {
  html: typeof litHtml;
  nothing: typeof litNothing;
  format: typeof formatFn;
}

// ---- before sending -----------------------------------------------------------------

/** The host the tenant URL field names, for the preview under it. */
export function tenantHost(value: string): string | undefined {
  const tenant = normalizeTenantUrl(value);
  return tenant.ok ? tenant.host : undefined;
}

/**
 * What is wrong before anything is sent, per field, in the user's language: empty
 * fields, a tenant URL that cannot be one, a token URL that is not a URL, and a key
 * holding a character no key can (a smart quote, a no-break space…; the broker checks
 * the same).
 */
export function validate(
  values: FormValues,
  authType: AuthType,
  t: NermConnectStrings,
  fields: readonly FieldId[],
): FieldErrors {
  const errors: FieldErrors = {};
  const keys: FieldId[] = authType === 'pat' ? ['client-id', 'client-secret'] : ['api-key'];
  for (const id of keys) {
    const problem = credentialCharProblem(values[id].trim());
    if (problem) errors[id] = t.credentialChars.replace('{position}', String(problem.position));
  }
  const tenant = normalizeTenantUrl(values['tenant-url']);
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
  for (const id of fields) {
    if (id !== 'tenant-url' && id !== 'token-url' && values[id].trim() === '')
      errors[id] = t.required;
  }
  const tokenUrl = values['token-url'].trim();
  if (authType === 'pat' && tokenUrl !== '' && !/^https?:\/\/[^\s/@]+/.test(tokenUrl)) {
    errors['token-url'] = t.tokenUrlInvalid;
  }
  return errors;
}

// ---- how a failure reads, and where it goes ------------------------------------------

const TOKEN_URL = 'auth.token_url';

/** Mistakes of the page's developer, not the user's: the console says what to change. */
const SETUP_CODES = new Set<string>([
  'broker_url_missing',
  'link_token_missing',
  'origin_not_allowed',
]);

export function messageFor(kit: Kit, failure: BrokerFailure, t: NermConnectStrings): string {
  const code = failure.code;
  if (code === 'network_error') return t.networkError;
  if (code === 'rate_limited')
    return kit.format(t.rateLimited, { seconds: failure.retryAfter ?? 30 });
  if (code === 'link_token_invalid') return `${t.expiredTitle}. ${t.expiredBody}`;
  if (SETUP_CODES.has(code)) return t.notSetUp;
  // The token URL, not the tenant, did not answer (it may be empty: derived from the tenant).
  if (code === 'tenant_unreachable' && failure.issues.some((i) => i.path.join('.') === TOKEN_URL))
    return t.tokenUrlUnreachable;
  // Without its texts (their chunk failed to load) the broker's own words still help.
  return (
    t.errors[code as keyof NermConnectStrings['errors']] ??
    t.errors.internal ??
    failure.message ??
    t.networkError
  );
}

/** Tells the page's developer in the console, for the codes that are theirs to fix. */
export function warnIfSetup(failure: BrokerFailure): void {
  if (SETUP_CODES.has(failure.code))
    void import('./developer-warnings.ts').then(
      (m) => m.warnDeveloper(failure),
      () => {},
    );
}

/** Where the broker's issue paths land in the form. */
const FIELD_FOR_PATH: Record<string, FieldId> = {
  tenant_url: 'tenant-url',
  'auth.client_id': 'client-id',
  'auth.client_secret': 'client-secret',
  [TOKEN_URL]: 'token-url',
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

/** Which of the `visible` fields a broker failure belongs to: its issue paths, else its code. */
export function fieldsFor(
  failure: BrokerFailure,
  authType: AuthType,
  visible: readonly FieldId[],
): FieldId[] {
  const shown = new Set(visible);
  const fromIssues = failure.issues
    .map((issue) => FIELD_FOR_PATH[issue.path.join('.')])
    .filter((f): f is FieldId => f !== undefined && shown.has(f));
  if (fromIssues.length > 0) return [...new Set(fromIssues)];
  const target = FIELD_FOR_CODE[failure.code as ErrorCode];
  if (!target) return [];
  return [target === 'secret' ? (authType === 'pat' ? 'client-secret' : 'api-key') : target];
}

/** A failure's details: the broker's own words (English) and the request id for support. */
export function failureNote(kit: Kit, t: NermConnectStrings, failure: BrokerFailure): unknown {
  const { html, nothing } = kit;
  const { message: reason, requestId } = failure;
  if (!reason && !requestId) return nothing;
  return html`${reason ? html`<small lang="en" dir="ltr">${reason}</small>` : nothing}
  ${requestId ? html`<small>${kit.format(t.reference, { requestId })}</small>` : nothing}`;
}

// ---- the screens after the form ------------------------------------------------------

export function successView(
  kit: Kit,
  t: NermConnectStrings,
  host: string,
  app: string,
  onDone: () => void,
): TemplateResult {
  const { html, format } = kit;
  return html`<div class="outcome success" part="outcome">
    <h3 tabindex="-1">${format(t.successTitle, { host })}</h3>
    <p>${format(t.successBody, { app })}</p>
    <button class="secondary" part="button secondary" type="button" @click=${onDone}>
      ${t.done}
    </button>
  </div>`;
}

export function expiredView(
  kit: Kit,
  t: NermConnectStrings,
  recovery: LinkRecovery,
): TemplateResult {
  const { html, nothing } = kit;
  const state = recovery.state;
  return html`<div class="outcome" part="outcome">
    <h3 tabindex="-1">${t.expiredTitle}</h3>
    <p>${t.expiredBody}</p>
    ${state === 'unhandled' ? html`<p class="help">${t.recoverUnhandled}</p>` : nothing}
    <button
      class="primary"
      part="button recover"
      type="button"
      ?disabled=${state === 'waiting'}
      @click=${() => recovery.recover()}
    >
      ${
        state === 'waiting'
          ? html`<span class="spinner" aria-hidden="true"></span>${t.recovering}`
          : t.recover
      }
    </button>
  </div>`;
}

export interface RecoveryHost extends HTMLElement {
  linkToken: string;
  requestUpdate(): void;
  addController(controller: { hostUpdate?(): void; hostUpdated?(): void }): void;
}

/**
 * The expired screen's life (a reactive controller, added when a link first dies): it
 * shows with focus on its heading; "Start again" asks the host for a new link with a
 * cancelable `nerm-connect-recover`; a new `linkToken` returns to the form, focus on its
 * first field. `ask` dispatches that event and says whether the host took it.
 */
export class LinkRecovery {
  expired = false;
  /** `waiting`: the host took the event; `unhandled`: nobody did. */
  state: 'idle' | 'waiting' | 'unhandled' = 'idle';
  private _deadToken = '';
  private _focus: string | undefined;

  constructor(
    private readonly _host: RecoveryHost,
    private readonly _ask: () => boolean,
  ) {
    _host.addController(this);
  }

  expire(): void {
    if (!this.expired) this._focus = '.outcome h3';
    this.expired = true;
    this.state = 'idle';
    this._deadToken = this._host.linkToken;
    this._host.requestUpdate();
  }

  recover(): void {
    this.state = this._ask() ? 'waiting' : 'unhandled';
    this._host.requestUpdate();
  }

  hostUpdate(): void {
    if (this.expired && this._host.linkToken && this._host.linkToken !== this._deadToken) {
      this.expired = false;
      this.state = 'idle';
      this._focus = 'input';
    }
  }

  hostUpdated(): void {
    if (!this._focus) return;
    const selector = this._focus;
    this._focus = undefined;
    this._host.shadowRoot?.querySelector<HTMLElement>(selector)?.focus();
  }
}

// ---- styles of what only this chunk shows ---------------------------------------------

/** Plain text, minified like the element's own (the build minifies every `css` literal). */
const css = String.raw;

const STYLES = css`
  .preview,
  .error {
    font-size: 0.875em;
  }

  .preview {
    color: var(--_muted);
  }

  .error {
    color: var(--_danger);
    font-weight: 600;
  }

  input[aria-invalid='true'] {
    border-color: var(--_danger);
    border-width: 2px;
  }

  input:disabled {
    opacity: 0.7;
    cursor: not-allowed;
  }

  button.primary:disabled {
    cursor: progress;
    opacity: 0.85;
  }

  p small {
    display: block;
  }

  /* The broker's words and the reference under a field's error: as large as help text. */
  .error small {
    font-size: 1em;
  }

  .spinner {
    inline-size: 1em;
    block-size: 1em;
    border: 2px solid currentColor;
    border-inline-end-color: transparent;
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
  }

  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation-duration: 2.4s;
    }
  }

  .outcome {
    display: grid;
    gap: var(--_space);
    justify-items: start;
  }

  .outcome h3 {
    display: flex;
    gap: 6px;
    margin: 0;
    font-size: 1.1em;
  }

  .outcome.success h3 {
    color: var(--_success);
  }

  /* Focus lands on the heading so a screen reader reads it; it is not a control to ring. */
  .outcome h3:focus {
    outline: none;
  }

  @media (forced-colors: active) {
    .error,
    input[aria-invalid='true'] {
      color: CanvasText;
      border-color: Highlight;
    }
  }
`;

let sheet: CSSStyleSheet | undefined;

/** One constructable sheet for every element of the page (adopted next to the main one). */
export function styles(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLES);
  }
  return sheet;
}
