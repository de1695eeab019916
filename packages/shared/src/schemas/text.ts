import { z } from 'zod';

/**
 * The 1-based position of the first control character (Unicode `Cc`: C0, DEL, C1) in
 * `value`, or undefined. `multiline` admits tab, line feed and carriage return.
 * PostgreSQL's text cannot hold NUL, and no name, id, key or cursor has a use for any of
 * them (docs/decisions/0008-text-refuses-control-characters.md).
 */
export function controlCharAt(value: string, multiline = false): number | undefined {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    if (control && !(multiline && (code === 0x09 || code === 0x0a || code === 0x0d))) return i + 1;
  }
  return undefined;
}

/**
 * Every string a caller sends the broker starts here: `text()` refuses control
 * characters with a precise issue (400 `invalid_request`); chain `.trim()`, `.min()`,
 * `.max()` as on `z.string()`. `text({ multiline: true })` is for free text (a NERM
 * attribute value), where tabs and line breaks are content.
 */
export function text(options: { multiline?: boolean } = {}) {
  return z.string().superRefine((value, ctx) => {
    const at = controlCharAt(value, options.multiline);
    if (at !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `contains a control character at character ${at}`,
      });
    }
  });
}
