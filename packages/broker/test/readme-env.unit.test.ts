import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { brokerEnvSchema } from '../src/config-schema.ts';

// The README's variable table ("Run the broker in production") names every variable of
// the broker's zod schema, and nothing else: a variable added to the schema without a
// row, or a row left behind after one is removed, fails here.

const README = new URL('../../../README.md', import.meta.url);

/** The variable names in the first column of the table under `heading`. */
function tableVariables(markdown: string, heading: string): string[] {
  const section = markdown.slice(markdown.indexOf(heading));
  const table = section.slice(section.indexOf('| variable'));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n');
  return rows.flatMap((row) => /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/.exec(row)?.[1] ?? []);
}

describe('README environment table', () => {
  const schemaNames = Object.keys(brokerEnvSchema.out.shape).sort();

  it('lists every variable of the config schema, once, and no other', () => {
    const listed = tableVariables(readFileSync(README, 'utf8'), '## Run the broker in production');
    expect(new Set(listed).size, 'a variable listed twice').toBe(listed.length);
    expect([...listed].sort()).toEqual(schemaNames);
  });

  it('gives every row a meaning and a default', () => {
    const markdown = readFileSync(README, 'utf8');
    for (const name of schemaNames) {
      const row = markdown.split('\n').find((line) => line.startsWith(`| \`${name}\` `));
      const cells = row
        ?.split('|')
        .slice(2, 4)
        .map((cell) => cell.trim());
      expect(cells?.every(Boolean), name).toBe(true);
    }
  });

  it('notices a row taken out (the check itself can fail)', () => {
    const markdown = readFileSync(README, 'utf8');
    const withoutPort = markdown.replace(/^\| `NERM_BROKER_PORT` .*\n/m, '');
    const listed = tableVariables(withoutPort, '## Run the broker in production');
    expect(schemaNames.filter((n) => !listed.includes(n))).toEqual(['NERM_BROKER_PORT']);
  });
});
