import type { NermConnectStrings } from './i18n/strings.ts';

/**
 * The form's fields and their labels: what the first paint needs. The rules that read
 * what was typed (validation, the request body) load on demand (form-rules.ts).
 */

export type FieldId = 'tenant-url' | 'client-id' | 'client-secret' | 'token-url' | 'api-key';
export type AuthType = 'pat' | 'api_key';
export type FormValues = Record<FieldId, string>;
export type FieldErrors = Partial<Record<FieldId, string>>;

export const EMPTY_FORM: FormValues = {
  'tenant-url': '',
  'client-id': '',
  'client-secret': '',
  'token-url': '',
  'api-key': '',
};

/** Test credentials the host may offer (a sandbox tenant): each method gets a fill button. */
export interface NermConnectSandbox {
  tenantUrl: string;
  clientId?: string;
  clientSecret?: string;
  tokenUrl?: string;
  apiKey?: string;
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
