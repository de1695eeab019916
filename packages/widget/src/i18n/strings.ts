import type { ErrorCode } from '@nerm-connect/shared/lite';

/** Every text the element shows. `strings` overrides any subset of them. */
export interface NermConnectStrings {
  title: string;
  intro: string;
  tenantUrlLabel: string;
  tenantUrlHelp: string;
  /** `{host}` is replaced by the normalised tenant host. */
  tenantUrlPreview: string;
  authLegend: string;
  authPat: string;
  authPatHint: string;
  authApiKey: string;
  authApiKeyHint: string;
  clientIdLabel: string;
  clientIdHelp: string;
  clientSecretLabel: string;
  clientSecretHelp: string;
  apiKeyLabel: string;
  apiKeyHelp: string;
  advanced: string;
  tokenUrlLabel: string;
  tokenUrlHelp: string;
  /**
   * The reveal button's name. It deliberately leaves out the field's label, so "Client
   * secret" and "API key" each name exactly one control; aria-controls ties it to its field.
   */
  show: string;
  /** Its tooltip while the secret is shown. */
  hide: string;
  submit: string;
  submitting: string;
  cancel: string;
  done: string;
  /** `{host}` is replaced by the connected tenant host. */
  successTitle: string;
  successBody: string;
  expiredTitle: string;
  expiredBody: string;
  required: string;
  tenantUrlProblem: string;
  tenantUrlCredentials: string;
  tenantUrlScheme: string;
  tokenUrlInvalid: string;
  /** `{seconds}` is replaced by the wait. */
  rateLimited: string;
  networkError: string;
  /** `{requestId}` is replaced by the broker's request id. */
  reference: string;
  errors: Partial<Record<ErrorCode, string>>;
}

export type StringOverrides = Partial<Omit<NermConnectStrings, 'errors'>> & {
  errors?: Partial<Record<ErrorCode, string>>;
};

export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) =>
    key in values ? String(values[key]) : match,
  );
}
