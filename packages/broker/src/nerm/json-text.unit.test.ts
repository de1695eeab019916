import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../test/fuzz.ts';
import { JSON_TEXT_NATIVE_UP_TO, jsonText } from './json-text.ts';

// A NERM answer is read through jsonText, which must parse to exactly what Node's own
// UTF-8 decoding parses to, and fail exactly where it fails
// (docs/decisions/0104-nerm-answers-read-as-one-byte-text.md).

/** What JSON.parse makes of a text: its value, or that it threw. */
function parsed(text: string): { value: unknown } | 'throws' {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return 'throws';
  }
}

/** A JSON document padded with whitespace past the size jsonText reads natively, so its own path runs. */
function big(document: string): Buffer {
  return Buffer.from(`${' '.repeat(JSON_TEXT_NATIVE_UP_TO + 1)}${document}`);
}

const SAMPLES = Object.entries({
  'ASCII only': Buffer.from('{"name":"Ada Lovelace"}'),
  'Latin-1 letters': Buffer.from('{"name":"Zoë Brontë"}'),
  'three- and four-byte characters': Buffer.from('{"name":"Hương Nguyễn","note":"😀 東京"}'),
  'a non-ASCII key': Buffer.from('{"prénom":"Zoë","名":1}'),
  'escapes beside raw characters': Buffer.from('{"a":"\\u00e9é\\\\é\\"é"}'),
  'a backslash before a raw character': Buffer.from('{"a":"\\é"}'),
  'a byte-order mark': Buffer.from('\uFEFF{"a":1}'),
  'a raw character outside a string': Buffer.from('{"a":1é}'),
  'a sequence cut by an ASCII byte': Buffer.from([0x5b, 0x22, 0xe1, 0xbb, 0x22, 0x5d]),
  'a lone continuation byte': Buffer.from([0x5b, 0x22, 0x80, 0x22, 0x5d]),
  'an overlong encoding': Buffer.from([0x5b, 0x22, 0xc0, 0xaf, 0x22, 0x5d]),
  'a surrogate encoded in UTF-8': Buffer.from([0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d]),
  'a truncated sequence at the end': Buffer.from([0x5b, 0x22, 0xf0, 0x9f, 0x98]),
  nothing: Buffer.alloc(0),
} satisfies Record<string, Buffer>);

describe('jsonText', () => {
  it.each(SAMPLES)('parses %s as Node decoding would', (_what, bytes) => {
    expect(parsed(jsonText(bytes))).toEqual(parsed(bytes.toString('utf8')));
  });

  it.each(SAMPLES.filter(([, bytes]) => bytes.length > 0))(
    'parses %s in a large answer as Node decoding would',
    (_what, bytes) => {
      const asSent = Buffer.concat([big(''), bytes]);
      expect(parsed(jsonText(asSent))).toEqual(parsed(asSent.toString('utf8')));
    },
  );

  it('gives a large answer back as one-byte text, its non-ASCII characters escaped', () => {
    const profiles = Array.from({ length: 400 }, (_, i) => ({
      id: `p-${i}`,
      name: i % 2 ? 'Hương Nguyễn' : 'Zoë 😀 東京',
      attributes: { note: 'x'.repeat(200) },
    }));
    const bytes = Buffer.from(JSON.stringify({ profiles }));
    expect(bytes.length).toBeGreaterThan(JSON_TEXT_NATIVE_UP_TO);
    const text = jsonText(bytes);
    expect(/[^ -~]/.test(text)).toBe(false);
    expect(JSON.parse(text)).toEqual({ profiles });
  });

  it('parses any bytes as Node decoding would, small or large', () => {
    const piece = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...'{}[]":,\\ un0123456789abcdef') },
      {
        weight: 2,
        arbitrary: fc.integer({ min: 0x20, max: 0x7f }).map((c) => String.fromCharCode(c)),
      },
      {
        weight: 2,
        arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
      },
    );
    const document = fc
      .array(piece, { maxLength: 120 })
      .map((p) => Buffer.from(p.join(''), 'latin1'));
    fc.assert(
      fc.property(document, fc.boolean(), (bytes, large) => {
        const sent = large ? Buffer.concat([big(''), bytes]) : bytes;
        expect(parsed(jsonText(sent))).toEqual(parsed(sent.toString('utf8')));
      }),
      fuzz(300),
    );
  });

  it('parses any JSON value with text in any script back to itself, small or large', () => {
    const value = fc.jsonValue({ maxDepth: 3, stringUnit: 'grapheme' });
    fc.assert(
      fc.property(value, fc.boolean(), (v, large) => {
        const text = JSON.stringify(v);
        const bytes = large ? big(text) : Buffer.from(text);
        expect(JSON.parse(jsonText(bytes))).toEqual(JSON.parse(text));
      }),
      fuzz(200),
    );
  });
});
