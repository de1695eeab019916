/**
 * Header names and values as HTTP (RFC 9110 §5) and undici accept them. Checked before
 * undici sees a request: undici refuses a bad header synchronously inside its pool, and
 * that used to leave the pool client stuck (docs/security.md, "Findings and fixes", 1).
 */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// undici's own rule for a value: tab, visible ASCII, space, obs-text.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The name of the first header that cannot be sent, or undefined. Never the value. */
export function unsendableHeader(headers: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) return 'a header name';
    if (!FIELD_VALUE.test(value)) return `the ${name.toLowerCase()} header`;
  }
  return undefined;
}
