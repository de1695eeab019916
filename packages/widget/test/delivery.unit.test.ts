import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@nerm-connect/shared/lite';
import { en } from '../src/i18n/en.ts';
import { SUPPORTED_LOCALES, loadStrings } from '../src/i18n/locales.ts';
// @ts-expect-error -- a plain .mjs build script, no types
import { bundleOptions } from '../scripts/bundle-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('dist/nerm-connect.js', () => {
  it('is one ES module with Lit inside, within the 15 KiB gzip budget; locales load on demand', async () => {
    const result = await build({
      ...bundleOptions,
      absWorkingDir: root,
      write: false,
      outdir: join(root, 'dist'),
    });
    const files = (result.outputFiles ?? []).map((f) => ({
      name: f.path.slice(root.length),
      bytes: f.contents,
    }));
    const main = files.find((f) => f.name.endsWith('dist/nerm-connect.js'))!;
    const text = Buffer.from(main.bytes).toString('utf8');
    expect(text).not.toMatch(/\bfrom\s*["'](lit|@lit|@nerm-connect)/);
    expect(text).toContain('customElements');
    const gzip = gzipSync(main.bytes, { level: 9 }).length;
    expect(gzip).toBeLessThanOrEqual(15 * 1024);
    // German, French, Spanish and Japanese are separate chunks, not in the main file.
    expect(text).not.toContain('Verbinden');
    expect(files.filter((f) => f.name.includes('locales/')).length).toBeGreaterThanOrEqual(4);
  });
});

describe('translations', () => {
  it('every built-in locale has every text and every error code', async () => {
    for (const locale of SUPPORTED_LOCALES) {
      const strings = await loadStrings(locale);
      expect(Object.keys(strings).sort(), locale).toEqual(Object.keys(en).sort());
      for (const [key, value] of Object.entries(strings)) {
        if (key !== 'errors') expect(value, `${locale}.${key}`).toMatch(/\S/);
      }
      const needed = ERROR_CODES.filter((c) => en.errors[c] !== undefined);
      expect(Object.keys(strings.errors).sort(), locale).toEqual(needed.sort());
    }
  });

  it('keeps the contract names of the English fields', () => {
    expect([
      en.tenantUrlLabel,
      en.clientIdLabel,
      en.clientSecretLabel,
      en.apiKeyLabel,
      en.submit,
    ]).toEqual(['NERM tenant URL', 'Client ID', 'Client secret', 'API key', 'Connect']);
  });
});

describe('custom-elements.json', () => {
  it('is current with the source, and documents the tag, attributes, events and parts', () => {
    // cem resolves --outdir against the working directory, so a relative folder it is.
    const out = join('.cem-check', String(process.pid));
    execFileSync(
      'cem',
      [
        'analyze',
        '--litelement',
        '--globs',
        'src/nerm-connect.ts',
        'src/events/*.ts',
        '--outdir',
        out,
      ],
      {
        cwd: root,
        stdio: 'ignore',
        env: {
          ...process.env,
          PATH: `${root}node_modules/.bin:${root}../../node_modules/.bin:${process.env.PATH}`,
        },
      },
    );
    const fresh = readFileSync(join(root, out, 'custom-elements.json'), 'utf8');
    rmSync(join(root, '.cem-check'), { recursive: true, force: true });
    const committed = readFileSync(join(root, 'custom-elements.json'), 'utf8');
    expect(JSON.parse(committed), 'run `pnpm --filter @nerm-connect/widget analyze`').toEqual(
      JSON.parse(fresh),
    );
    const element = JSON.parse(fresh).modules[0].declarations[0];
    expect(element.tagName).toBe('nerm-connect');
    expect(element.attributes.map((a: { name: string }) => a.name)).toEqual([
      'broker-url',
      'link-token',
      'locale',
      'theme',
    ]);
    expect(element.events.map((e: { name?: string }) => e.name).filter(Boolean)).toEqual([
      'nerm-connect-success',
      'nerm-connect-error',
      'nerm-connect-exit',
      'nerm-connect-event',
    ]);
    expect(element.cssParts.length).toBeGreaterThan(15);
    expect(element.cssProperties.length).toBeGreaterThan(10);
    expect(element.members.filter((m: { name: string }) => m.name.startsWith('_'))).toEqual([]);
  });
});
