import type { ErrorCode } from '@nerm-connect/shared/lite';
import type { AuthType, FieldId } from './form.ts';
import type { NermConnectStrings } from './i18n/strings.ts';
import type { Kit } from './load-on-demand.ts';
import type { BrokerFailure } from './transport.ts';

// On demand (on-demand.ts): how a failure reads, and where it goes in the form.

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
