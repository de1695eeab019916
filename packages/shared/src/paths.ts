// No imports: this module is safe for the lightest browser bundle (it is in `lite`).

/**
 * Every path of the broker's HTTP API, written once. The broker registers its routes
 * from these, the SDK and the widget build their URLs from them, and the OpenAPI
 * document is generated from them. Parameters are written `:name` (Express's syntax);
 * `openApiPath` turns them into `{name}`. See docs/api.md.
 */
export const PATHS = {
  health: '/healthz',
  /** Readiness: the store (and shared counters) answer; docs/operations.md. */
  ready: '/readyz',
  jwks: '/.well-known/jwks.json',
  openapi: '/openapi.json',
  linkTokens: '/link-tokens',
  linkSession: '/link/session',
  linkConnect: '/link/connect',
  /** The hosted connect page a `hosted_url` opens (HTML; the link token in its fragment). */
  hostedLink: '/connect',
  /** Its script, style and the widget's files (static; not an endpoint of the table). */
  hostedAssets: '/connect/assets',
  tokenExchange: '/tokens/exchange',
  accounts: '/integrated-accounts',
  account: '/integrated-accounts/:id',
  accountVerify: '/integrated-accounts/:id/verify',
  accountTokens: '/integrated-accounts/:id/tokens',
  accountSync: '/integrated-accounts/:id/sync',
  accountSyncHook: '/integrated-accounts/:id/sync-hook',
  accountAudit: '/integrated-accounts/:id/audit',
  events: '/events',
  /** A NERM workflow's REST action calls it; the hook id is its only credential. */
  nermHook: '/hooks/nerm/:hook_id',
  users: '/unified/user-directory/users',
  user: '/unified/user-directory/users/:id',
  roles: '/unified/user-directory/roles',
  role: '/unified/user-directory/roles/:id',
  /** NERM 1:1: `/proxy/<path below /api>`. */
  proxy: '/proxy',
} as const;

export type PathName = keyof typeof PATHS;
export type PathTemplate = (typeof PATHS)[PathName];

/** The prefix the widget's endpoints share (CORS and per-IP limits apply to all of it). */
export const LINK_PREFIX = '/link';

/** The names of a template's `:parameters`, as a union type. */
export type PathParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

export type PathParams<P extends string> = [PathParamNames<P>] extends [never]
  ? Record<string, never>
  : Record<PathParamNames<P>, string>;

/**
 * A template with its parameters filled in, each one percent-encoded, so an id can
 * never add a path segment. An empty or missing parameter is a `TypeError`.
 */
export function fillPath<P extends PathTemplate>(template: P, params: PathParams<P>): string {
  return template.replace(/:([A-Za-z_]+)/g, (_match, name: string) => {
    const value = (params as Record<string, unknown>)[name];
    if (typeof value !== 'string' || value === '')
      throw new TypeError(`${name} must be a non-empty string`);
    return encodeURIComponent(value);
  });
}

/** `/integrated-accounts/:id` → `/integrated-accounts/{id}` (OpenAPI's template syntax). */
export function openApiPath(template: string): string {
  return template.replace(/:([A-Za-z_]+)/g, '{$1}');
}
