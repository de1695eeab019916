// No imports: this module is part of the lightest browser bundle (the `lite` entry).

/**
 * Why a character cannot be part of a credential. A credential travels in an HTTP
 * header (`Authorization: Bearer …`) or a form body, so it must be printable ASCII; what
 * else turns up in a key field is nearly always a copy-paste artefact. See
 * docs/security.md, "Findings and fixes".
 */
export type CredentialCharKind =
  | 'line_break'
  | 'tab'
  | 'control'
  | 'invisible'
  | 'typographic_quote'
  | 'typographic_dash'
  | 'emoji'
  | 'not_latin1'
  | 'not_ascii';

export interface CredentialCharProblem {
  kind: CredentialCharKind;
  /** 1-based position of the character, counting an emoji as one. */
  position: number;
  /** English, names the kind and the position, never the value. */
  message: string;
}

const DESCRIPTION: Record<CredentialCharKind, string> = {
  line_break: 'a line break',
  tab: 'a tab',
  control: 'a control character',
  invisible: 'an invisible character (such as a no-break or zero-width space)',
  typographic_quote: 'a typographic quote (use a plain \' or ")',
  typographic_dash: 'a typographic dash (use a plain -)',
  emoji: 'an emoji',
  not_latin1: 'a character from outside the Latin alphabet',
  not_ascii: 'an accented or special character',
};

const TYPOGRAPHIC_QUOTE = /[\u2018-\u201F\u2032-\u2037\u2039\u203A\u00AB\u00BB\u00B4\uFF02\uFF07]/u;
const TYPOGRAPHIC_DASH = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/u;
// Code point ranges, not a regex: several of these combine with their neighbour.
const INVISIBLE: readonly (readonly [number, number])[] = [
  [0x00a0, 0x00a0],
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180e, 0x180e],
  [0x2000, 0x200f],
  [0x2028, 0x202f],
  [0x205f, 0x206f],
  [0x3000, 0x3000],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];
const EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}]/u;

function kindOf(char: string): CredentialCharKind | undefined {
  const code = char.codePointAt(0) as number;
  if (code >= 0x21 && code <= 0x7e) return undefined;
  if (code === 0x20) return undefined;
  if (code === 0x0a || code === 0x0d) return 'line_break';
  if (code === 0x09) return 'tab';
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return 'control';
  if (INVISIBLE.some(([from, to]) => code >= from && code <= to)) return 'invisible';
  if (TYPOGRAPHIC_QUOTE.test(char)) return 'typographic_quote';
  if (TYPOGRAPHIC_DASH.test(char)) return 'typographic_dash';
  if (EMOJI.test(char)) return 'emoji';
  return code > 0xff ? 'not_latin1' : 'not_ascii';
}

/**
 * The first character of `value` that cannot be part of a key, or undefined when every
 * character is printable ASCII (space included: a header carries it).
 */
export function credentialCharProblem(value: string): CredentialCharProblem | undefined {
  let position = 0;
  for (const char of value) {
    position++;
    const kind = kindOf(char);
    if (kind) {
      return {
        kind,
        position,
        message: `contains ${DESCRIPTION[kind]} at character ${position}, which cannot be part of a key; retype that character or copy the key again from its source`,
      };
    }
  }
  return undefined;
}
