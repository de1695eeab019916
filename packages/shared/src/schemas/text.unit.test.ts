import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ENDPOINTS, PROXY } from '../endpoints.ts';
import { StartWorkflowInput } from './workflow.ts';
import { controlCharAt, text } from './text.ts';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
}

/** Every string schema inside `schema`, with where it sits. */
function strings(schema: z.ZodType, at: string): [string, z.ZodType][] {
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  const inner = (s: z.ZodType | undefined, where = at) => (s ? strings(s, where) : []);
  switch (def.type) {
    case 'string':
      return [[at, schema]];
    case 'object':
      return Object.entries(def.shape ?? {}).flatMap(([k, v]) => strings(v, `${at}.${k}`));
    case 'array':
      return inner(def.element, `${at}[]`);
    case 'record':
      return [...inner(def.keyType, `${at}{key}`), ...inner(def.valueType, `${at}{}`)];
    case 'pipe':
      return [...inner(def.in), ...inner(def.out)];
    case 'union':
      return (def.options ?? []).flatMap((o) => strings(o, at));
    case 'intersection':
      return [...inner(def.left), ...inner(def.right)];
    default:
      return inner(def.innerType);
  }
}

/** Strings left to a check of their own, with its own error code. */
const OWN_CHECK = new Set([
  // normalizeTenantUrl refuses control characters as tenant_url_invalid (invalid_characters).
  'connect.body.tenant_url',
]);

describe('text()', () => {
  it('refuses NUL, every other C0 control, DEL and C1 controls, and says where', () => {
    for (let code = 0; code < 0x20; code++) {
      expect(controlCharAt(`ab${String.fromCharCode(code)}`), String(code)).toBe(3);
    }
    expect(controlCharAt('\u007f')).toBe(1);
    expect(controlCharAt('\u0085')).toBe(1);
    expect(controlCharAt('Zoë Smith-O’Brien 名前 😀')).toBeUndefined();
    expect(controlCharAt('line one\nline two\ttab\r\n', true)).toBeUndefined();
    expect(controlCharAt('a\u0000b', true)).toBe(2);
    const issues = text().safeParse('ab\u0000').error?.issues;
    expect(issues).toEqual([
      expect.objectContaining({
        code: 'custom',
        message: 'contains a control character at character 3',
      }),
    ]);
  });

  it('guards every string an endpoint takes: params, query, headers and body', () => {
    const inputs: [string, z.ZodType | undefined][] = [
      ...Object.entries(ENDPOINTS).flatMap(([name, e]) =>
        (['params', 'query', 'headers', 'body'] as const).map(
          (part): [string, z.ZodType | undefined] => [
            `${name}.${part}`,
            (e as Partial<Record<typeof part, z.ZodType>>)[part],
          ],
        ),
      ),
      ['proxy.query', PROXY.query],
      ['proxy.headers', PROXY.headers],
      ['workflows.start', StartWorkflowInput],
    ];
    const found = inputs.flatMap(([at, schema]) => (schema ? strings(schema, at) : []));
    expect(found.length).toBeGreaterThan(30);
    const open = found
      .filter(([at]) => !OWN_CHECK.has(at))
      .filter(([, s]) => s.safeParse('a\u0000b').success || s.safeParse('a\u001bb').success)
      .map(([at]) => at);
    expect(open).toEqual([]);
  });
});
