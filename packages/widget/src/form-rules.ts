import { credentialCharProblem, normalizeTenantUrl } from '@nerm-connect/shared/lite';
import type { AuthType, FieldErrors, FieldId, FormValues, NermConnectSandbox } from './form.ts';
import type { NermConnectStrings } from './i18n/strings.ts';
import type { ConnectPayload } from './transport.ts';

// On demand (on-demand.ts): the rules that read what was typed. The fields themselves and
// their labels are in form.ts, with the first paint.

export const FIELD_ORDER: FieldId[] = [
  'tenant-url',
  'client-id',
  'client-secret',
  'token-url',
  'api-key',
];

/** The fields of each sign-in method (the tenant URL belongs to both). */
export const FIELDS_OF: Record<AuthType, FieldId[]> = {
  pat: ['tenant-url', 'client-id', 'client-secret', 'token-url'],
  api_key: ['tenant-url', 'api-key'],
};

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
