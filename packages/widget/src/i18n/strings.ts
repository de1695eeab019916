import type { ErrorCode } from '@nerm-connect/shared/lite';

/**
 * Every text the element shows. `strings` overrides any subset of them. `{app}` is the
 * host's `app-name` (or `appFallback`).
 */
export interface NermConnectStrings {
  /** The default brand mark's accessible name. */
  brand: string;
  title: string;
  intro: string;
  /** Heading of the access disclosure. */
  accessTitle: string;
  accessRead: string;
  /** Shown unless the host sets `access="read"`. */
  accessWrite: string;
  encrypted: string;
  appFallback: string;
  tenantUrlLabel: string;
  tenantUrlHelp: string;
  /** `{host}` is replaced by the normalised tenant host. */
  tenantUrlPreview: string;
  authLegend: string;
  authPat: string;
  authPatHint: string;
  authApiKey: string;
  authApiKeyHint: string;
  /** The link to SailPoint's help for the chosen sign-in method. */
  helpPat: string;
  helpApiKey: string;
  /** The button that fills every field of a sign-in method from the host's `sandbox`. */
  sandboxFill: string;
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
   * The reveal button's name (a toggle: aria-pressed says whether it is shown). It leaves
   * out the field's label, so "Client secret" and "API key" each name exactly one
   * control; aria-controls ties it to its field.
   */
  show: string;
  submit: string;
  submitting: string;
  cancel: string;
  done: string;
  /** `{host}` is replaced by the connected tenant host. */
  successTitle: string;
  successBody: string;
  expiredTitle: string;
  expiredBody: string;
  /** The expired screen's button: asks the host for a new link (`nerm-connect-recover`). */
  recover: string;
  recovering: string;
  /** When no host answers the recover event. */
  recoverUnhandled: string;
  required: string;
  tenantUrlProblem: string;
  tenantUrlCredentials: string;
  tenantUrlScheme: string;
  /** A character a key cannot hold (`{position}`, 1-based); see credentialCharProblem. */
  credentialChars: string;
  tokenUrlInvalid: string;
  /** The token URL (typed, or derived from the tenant) did not answer. */
  tokenUrlUnreachable: string;
  /** `{seconds}` is replaced by the wait. */
  rateLimited: string;
  networkError: string;
  /** The page is not set up: no broker URL or link token, or an origin the broker refuses. */
  notSetUp: string;
  /** `{requestId}` is replaced by the broker's request id. */
  reference: string;
  errors: Partial<Record<ErrorCode, string>>;
}

/** Texts shown only after Connect (an outcome or an error); English loads them on demand (en-more.ts). */
export type LazyKey =
  | 'tenantUrlProblem'
  | 'tenantUrlCredentials'
  | 'tenantUrlScheme'
  | 'credentialChars'
  | 'tokenUrlInvalid'
  | 'tokenUrlUnreachable'
  | 'rateLimited'
  | 'notSetUp'
  | 'expiredBody'
  | 'recoverUnhandled'
  | 'successTitle'
  | 'successBody'
  | 'expiredTitle'
  | 'recover'
  | 'recovering'
  | 'reference';

export type StringOverrides = Partial<Omit<NermConnectStrings, 'errors'>> & {
  errors?: Partial<Record<ErrorCode, string>>;
};

export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) =>
    key in values ? String(values[key]) : match,
  );
}
