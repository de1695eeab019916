import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERROR_CODES, ErrorEnvelopeSchema, issuesFromZod, statusForCode } from './errors.ts';

describe('error vocabulary', () => {
  it('holds every code of docs/errors.md with its status there, and no other', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `([a-z_]+)` +\| (\d{3}) +\|/gm)].map(
      ([, code, status]) => [code, Number(status)],
    );
    expect(documented.length).toBeGreaterThan(20);
    expect(Object.fromEntries(ERROR_CODES.map((c) => [c, statusForCode(c)]))).toStrictEqual(
      Object.fromEntries(documented),
    );
  });

  it('validates the envelope and refuses unknown codes', () => {
    expect(
      ErrorEnvelopeSchema.safeParse({ error: { code: 'not_found', message: 'x', request_id: 'r' } })
        .success,
    ).toBe(true);
    expect(
      ErrorEnvelopeSchema.safeParse({ error: { code: 'teapot', message: 'x', request_id: 'r' } })
        .success,
    ).toBe(false);
  });

  it('turns zod issues into data without the submitted values', () => {
    const result = z.object({ secret: z.string().min(50) }).safeParse({ secret: 'hunter2' });
    expect(result.success).toBe(false);
    const issues = issuesFromZod(result.error!);
    expect(issues[0]).toMatchObject({ path: ['secret'], code: 'too_small' });
    expect(JSON.stringify(issues)).not.toContain('hunter2');
  });
});
