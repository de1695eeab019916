import { parseJson, type NermResponse } from './nerm-client.ts';

/**
 * How live NERM says "nothing" (docs/nerm-live-behaviour.md): a list with no match, or an
 * offset past its end, answers `400 {"error": "no profiles found"}`; an unknown or
 * archived id answers `400 {"error": "profile not found"}`. Tenants that follow the spec
 * answer `200 []` and `404` instead; both readings are handled wherever NERM is read.
 */
const NONE_FOUND = /^no [\w ]+ found\.?$/i;
const NOT_FOUND = /\bnot found\b/i;

function errorText(res: NermResponse): string | undefined {
  if (res.status !== 400) return undefined;
  const body = parseJson(res) as { error?: unknown; errors?: unknown } | undefined;
  // A validation failure names fields in `errors`: never a "nothing here".
  if (body?.errors !== undefined) return undefined;
  return typeof body?.error === 'string' ? body.error.trim() : undefined;
}

/** A list answer that means "an empty page". */
export function isEmptyListAnswer(res: NermResponse): boolean {
  const text = errorText(res);
  return text !== undefined && NONE_FOUND.test(text);
}

/** A single-object answer that means "no such object". */
export function isNotFoundAnswer(res: NermResponse): boolean {
  if (res.status === 404) return true;
  const text = errorText(res);
  return text !== undefined && (NOT_FOUND.test(text) || NONE_FOUND.test(text));
}
