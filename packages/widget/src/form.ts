import type { NermConnectStrings } from './i18n/strings.ts';
import type { ConnectPayload } from './transport.ts';

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

export function labelOf(t: NermConnectStrings, id: FieldId): string {
  return {
    'tenant-url': t.tenantUrlLabel,
    'client-id': t.clientIdLabel,
    'client-secret': t.clientSecretLabel,
    'token-url': t.tokenUrlLabel,
    'api-key': t.apiKeyLabel,
  }[id];
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
