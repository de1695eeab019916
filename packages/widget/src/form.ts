import { normalizeTenantUrl, type ErrorCode } from '@nerm-connect/shared/lite';
import type { NermConnectStrings } from './i18n/strings.ts';
import type { BrokerFailure, ConnectPayload } from './transport.ts';

/** The form's pure logic: fields, validation, the request body, where an error belongs. */

export type FieldId = 'tenant-url' | 'client-id' | 'client-secret' | 'token-url' | 'api-key';
export type AuthType = 'pat' | 'api_key';
export type FormValues = Record<FieldId, string>;
export type FieldErrors = Partial<Record<FieldId, string>>;

export const FIELD_ORDER: FieldId[] = [
  'tenant-url',
  'client-id',
  'client-secret',
  'token-url',
  'api-key',
];

export const EMPTY_FORM: FormValues = {
  'tenant-url': '',
  'client-id': '',
  'client-secret': '',
  'token-url': '',
  'api-key': '',
};

/** The fields of each sign-in method (the tenant URL belongs to both). */
export const FIELDS_OF: Record<AuthType, FieldId[]> = {
  pat: ['tenant-url', 'client-id', 'client-secret', 'token-url'],
  api_key: ['tenant-url', 'api-key'],
};

/** Test credentials the host may offer (a sandbox tenant): each method gets a fill button. */
export interface NermConnectSandbox {
  tenantUrl: string;
  clientId?: string;
  clientSecret?: string;
  tokenUrl?: string;
  apiKey?: string;
}

/** Every field of `authType`, filled from the sandbox. */
export function sandboxValues(
  sandbox: NermConnectSandbox,
  authType: AuthType,
): Partial<FormValues> {
  return authType === 'pat'
    ? {
        'tenant-url': sandbox.tenantUrl,
        'client-id': sandbox.clientId ?? '',
        'client-secret': sandbox.clientSecret ?? '',
        'token-url': sandbox.tokenUrl ?? '',
      }
    : { 'tenant-url': sandbox.tenantUrl, 'api-key': sandbox.apiKey ?? '' };
}

/** Where the broker's issue paths land in the form. */
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

export function labelOf(t: NermConnectStrings, id: FieldId): string {
  return {
    'tenant-url': t.tenantUrlLabel,
    'client-id': t.clientIdLabel,
    'client-secret': t.clientSecretLabel,
    'token-url': t.tokenUrlLabel,
    'api-key': t.apiKeyLabel,
  }[id];
}

/** What is wrong before anything is sent, per field, in the user's language. */
export function validate(
  values: FormValues,
  authType: AuthType,
  t: NermConnectStrings,
  /** From credential-check.ts, when it has loaded: field → position of a bad character. */
  badChars: Partial<Record<FieldId, number>> = {},
): FieldErrors {
  const errors: FieldErrors = {};
  for (const [id, position] of Object.entries(badChars) as [FieldId, number][])
    errors[id] = t.credentialChars.replace('{position}', String(position));
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
  for (const id of FIELDS_OF[authType]) {
    if (id !== 'tenant-url' && id !== 'token-url' && values[id].trim() === '')
      errors[id] = t.required;
  }
  const tokenUrl = values['token-url'].trim();
  if (authType === 'pat' && tokenUrl !== '' && !/^https?:\/\/[^\s/@]+/.test(tokenUrl)) {
    errors['token-url'] = t.tokenUrlInvalid;
  }
  return errors;
}

export function payload(values: FormValues, authType: AuthType): ConnectPayload {
  const v = (id: FieldId) => values[id].trim();
  const auth: ConnectPayload['auth'] =
    authType === 'pat'
      ? {
          type: 'pat',
          client_id: v('client-id'),
          client_secret: v('client-secret'),
          ...(v('token-url') ? { token_url: v('token-url') } : {}),
        }
      : { type: 'api_key', api_key: v('api-key') };
  return { tenant_url: v('tenant-url'), auth };
}

/** Which fields a broker failure belongs to: its issue paths first, else its code. */
export function fieldsFor(failure: BrokerFailure, authType: AuthType): FieldId[] {
  const visible = new Set(FIELDS_OF[authType]);
  const fromIssues = failure.issues
    .map((issue) => FIELD_FOR_PATH[issue.path.join('.')])
    .filter((f): f is FieldId => f !== undefined && visible.has(f));
  if (fromIssues.length > 0) return [...new Set(fromIssues)];
  const target = FIELD_FOR_CODE[failure.code as ErrorCode];
  if (!target) return [];
  return [target === 'secret' ? (authType === 'pat' ? 'client-secret' : 'api-key') : target];
}
