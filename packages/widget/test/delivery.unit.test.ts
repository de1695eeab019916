import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Rollup } from 'vite';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, PATHS } from '@nerm-connect/shared/lite';
import { en } from '../src/i18n/en.ts';
import { more } from '../src/i18n/en-more.ts';
import { SUPPORTED_LOCALES, loadStrings } from '../src/i18n/locales.ts';
// @ts-expect-error -- a plain .mjs build script, no types
import { bundleConfig, GZIP_BUDGET as BUDGET, root } from '../scripts/vite-configs.mjs';

async function bundle(): Promise<Rollup.OutputChunk[]> {
  const [out] = (await build(bundleConfig({ write: false }))) as Rollup.RollupOutput[];
  return out!.output.filter((o): o is Rollup.OutputChunk => o.type === 'chunk');
}

/** A module built by the bundle's own config (its literal minifier), not minified further. */
async function minifiedFixture(source: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'widget-literals-'));
  try {
    const entry = join(dir, 'fixture.js');
    writeFileSync(entry, source);
    const config = bundleConfig({ write: false });
    config.build.minify = false;
    config.build.lib = { entry, formats: ['es'], fileName: () => 'fixture.js' };
    const [out] = (await build(config)) as Rollup.RollupOutput[];
    return (out!.output[0] as Rollup.OutputChunk).code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('dist/nerm-connect.js (Vite library mode)', { timeout: 60_000 }, () => {
  it('is one ES module with Lit and English inside, within the 11.25 KiB gzip budget, that imports nothing statically', async () => {
    const chunks = await bundle();
    const main = chunks.find((c) => c.fileName === 'nerm-connect.js')!;
    expect(main.imports, 'static imports of the main file').toEqual([]);
    expect(main.code).not.toMatch(/(^|[;}])\s*import\s*[{*\w]/);
    expect(main.code).toContain('customElements');
    const gzip = gzipSync(main.code, { level: 9 }).length;
    const flow = chunks.find((c) => c.name === 'on-demand')!;
    const always = gzip + gzipSync(flow.code, { level: 9 }).length;
    console.log(
      `dist/nerm-connect.js: ${main.code.length} B, ${gzip} B gzip (budget ${BUDGET}); with the on-demand chunk it asks for as it connects: ${always} B gzip`,
    );
    expect(gzip).toBeLessThanOrEqual(BUDGET);
    // Other locales, the error texts, and everything after the first paint (talking to the
    // broker, the session check, validation, the key-character check, where a failure goes,
    // the outcome screens) load on demand.
    expect(main.code).not.toContain('Verbinden');
    expect(main.code).not.toContain(more.errors.invalid_credentials);
    expect(main.code).not.toContain(more.recovering);
    expect(main.code).not.toContain('credentials_in_url');
    for (const path of [PATHS.linkConnect, PATHS.linkSession]) {
      expect(main.code).not.toContain(path);
      expect(flow.code).toContain(path);
    }
    const lazy = chunks.filter((c) => c.fileName.startsWith('chunks/')).map((c) => c.name);
    expect(lazy.sort()).toEqual([
      'ar',
      'de',
      'developer-warnings',
      'en-more',
      'es',
      'fr',
      'ja',
      'on-demand',
    ]);
    for (const chunk of chunks) expect(chunk.imports, chunk.fileName).toEqual([]);
  });

  it("minifies the templates without the hand-written minifier's three bugs (issue #10)", async () => {
    const code = await minifiedFixture(`
      const css = (s, ...v) => s.raw.join('');
      const html = (s, ...v) => s.raw.join('');
      export const style = css\`
        .field   :focus-visible { outline: 2px solid red; }
        .field > input { color: red; }
      \`;
      export const view = (name) => html\`
        <p   title="two  spaces,  kept"   part="a b">\${name ? 'it\\'s ' + name : "say \\"hi\\""}</p>
      \`;
    `);
    // 1. A descendant pseudo-class keeps its space (was \`.field:focus-visible\`).
    expect(code).toMatch(/\.field :focus-visible\{/);
    expect(code).toContain('.field>input');
    // 2. Attribute values keep their spaces as written.
    expect(code).toContain('title="two  spaces,  kept"');
    expect(code).toContain('part="a b"');
    // 3. An escaped quote inside an expression is read as one (it overflowed the stack):
    // the expression comes through whole (esbuild re-quotes the strings).
    expect(code).toContain(`\${name ? "it's " + name : 'say "hi"'}</p>`);
    // And the whitespace between tags and in the rules is gone.
    expect(code).not.toMatch(/<p\s{2,}title/);
    expect(code).not.toMatch(/\{\s+outline/);
  });

  it('minifies the templates without changing what they mean', async () => {
    const main = (await bundle()).find((c) => c.fileName === 'nerm-connect.js')!.code;
    // Descendant selectors keep their space; attribute values keep theirs.
    expect(main).toContain('.secret input');
    expect(main).toContain('part="button submit"');
    expect(main).not.toMatch(/\n\s{2,}</);
  });
});

describe('translations', () => {
  it('every built-in locale has every text and every error code', async () => {
    const english = { ...en, ...more };
    for (const locale of SUPPORTED_LOCALES) {
      const strings = locale === 'en' ? english : await loadStrings(locale);
      expect(Object.keys(strings).sort(), locale).toEqual(Object.keys(english).sort());
      for (const [key, value] of Object.entries(strings)) {
        if (key !== 'errors') expect(value, `${locale}.${key}`).toMatch(/\S/);
      }
      const needed = ERROR_CODES.filter((c) => more.errors[c] !== undefined);
      expect(Object.keys(strings.errors ?? {}).sort(), locale).toEqual(needed.sort());
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

describe('custom-elements.json', { timeout: 60_000 }, () => {
  it('is current with the source, and documents the tag, attributes, events and parts', () => {
    // cem resolves --outdir against the working directory, so a relative folder it is.
    const out = join('.cem-check', String(process.pid));
    execFileSync('cem', ['analyze', '--outdir', out], {
      cwd: root,
      stdio: 'ignore',
      env: {
        ...process.env,
        PATH: `${root}node_modules/.bin:${root}../../node_modules/.bin:${process.env.PATH}`,
      },
    });
    const fresh = readFileSync(join(root, out, 'custom-elements.json'), 'utf8');
    rmSync(join(root, '.cem-check'), { recursive: true, force: true });
    const committed = readFileSync(join(root, 'custom-elements.json'), 'utf8');
    expect(JSON.parse(committed), 'run `pnpm --filter @nerm-connect/widget analyze`').toEqual(
      JSON.parse(fresh),
    );
    const element = JSON.parse(fresh).modules.find((m: any) => m.path === 'src/nerm-connect.ts')
      .declarations[0];
    expect(element.tagName).toBe('nerm-connect');
    expect(element.attributes.map((a: { name: string }) => a.name).sort()).toEqual(
      ['access', 'app-name', 'broker-url', 'link-token', 'locale', 'theme'].sort(),
    );
    expect(element.events.map((e: { name?: string }) => e.name).filter(Boolean)).toEqual([
      'nerm-connect-success',
      'nerm-connect-error',
      'nerm-connect-exit',
      'nerm-connect-recover',
      'nerm-connect-event',
    ]);
    expect(element.slots.map((s: { name: string }) => s.name)).toEqual(['brand']);
    expect(element.cssParts.length).toBeGreaterThan(20);
    expect(element.members.filter((m: { name: string }) => m.name.startsWith('_'))).toEqual([]);
  });
});
