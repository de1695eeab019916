/**
 * A NERM answer as text for JSON.parse, without the two-byte string Node makes of it.
 *
 * NERM sends JSON in UTF-8: ASCII but for people's names and attribute values. Node 20
 * decodes any body holding a character beyond Latin-1 (`ễ`, `东`, an emoji) into a string
 * of two bytes per character, and a string over 128 KB (a page of 127 profiles is 71 KB
 * of bytes, 142 KB as such a string) is V8's "large object": fresh memory mapped for each
 * one, which costed the broker about 1 ms per page on this machine, more than parsing it
 * (docs/decisions/0104-nerm-answers-read-as-one-byte-text.md).
 *
 * Here each run of bytes ≥ 0x80 is decoded alone and written as `\uXXXX` escapes: the
 * text stays ASCII (one byte a character), and JSON.parse reads an escape inside a string
 * as the very character, while one outside a string is an error as the raw character was.
 * Decoding runs alone changes nothing: a byte below 0x80 is always a whole character in
 * UTF-8 and ends any sequence left incomplete before it. A run right after a backslash
 * would turn an invalid escape (`\é`) into a valid one, so such a body is decoded whole.
 */

/** Up to this size a body is decoded whole: even as two-byte text it is an ordinary string. */
export const JSON_TEXT_NATIVE_UP_TO = 64 * 1024;
/** Bytes read as Latin-1 at a time: every string made here stays ordinary (≤ 128 KB). */
const WINDOW = 32 * 1024;
const BACKSLASH = 0x5c;

export function jsonText(bytes: Buffer): string {
  if (bytes.length <= JSON_TEXT_NATIVE_UP_TO) return bytes.toString('utf8');
  let text = '';
  for (let start = 0; start < bytes.length;) {
    let end = Math.min(bytes.length, start + WINDOW);
    // A window ends before an ASCII byte, never inside a run.
    while (end < bytes.length && (bytes[end] as number) >= 0x80) end++;
    const escaped = escapeRuns(bytes, start, end);
    if (escaped === undefined) return bytes.toString('utf8');
    text += escaped;
    start = end;
  }
  return text;
}

/** Bytes `start`–`end` as ASCII text, each run of non-ASCII bytes escaped; undefined after a backslash. */
function escapeRuns(bytes: Buffer, start: number, end: number): string | undefined {
  const latin1 = bytes.toString('latin1', start, end);
  const runs = /[\x80-\xff]+/g;
  let text = '';
  let copied = 0;
  for (let run = runs.exec(latin1); run !== null; run = runs.exec(latin1)) {
    const at = start + run.index;
    if (at > 0 && bytes[at - 1] === BACKSLASH) return undefined;
    text +=
      latin1.slice(copied, run.index) + escaped(bytes.toString('utf8', at, start + runs.lastIndex));
    copied = runs.lastIndex;
  }
  return copied === 0 ? latin1 : text + latin1.slice(copied);
}

function escaped(chars: string): string {
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    out += `\\u${chars.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return out;
}
