import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ENDPOINTS } from './endpoints.ts';
import { PATHS, fillPath, openApiPath } from './paths.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('fillPath', () => {
  it('fills each parameter, percent-encoded, so an id cannot add a segment', () => {
    expect(fillPath(PATHS.user, { id: 'a/../b?c' })).toBe(
      '/unified/user-directory/users/a%2F..%2Fb%3Fc',
    );
    expect(fillPath(PATHS.accountTokens, { id: 'x y' })).toBe('/integrated-accounts/x%20y/tokens');
    expect(fillPath(PATHS.users, {})).toBe('/unified/user-directory/users');
  });

  it('refuses an empty or missing parameter', () => {
    expect(() => fillPath(PATHS.user, { id: '' })).toThrow(TypeError);
    expect(() => fillPath(PATHS.user, {} as { id: string })).toThrow(TypeError);
  });

  it('writes templates the OpenAPI way', () => {
    expect(openApiPath(PATHS.accountVerify)).toBe('/integrated-accounts/{id}/verify');
  });
});

describe('the endpoint table', () => {
  it('uses every path, and no method and path twice', () => {
    const used = new Set(Object.values(ENDPOINTS).map((e) => e.path));
    for (const path of Object.values(PATHS)) {
      if (path !== PATHS.proxy && path !== PATHS.hostedAssets)
        expect(used.has(path), path).toBe(true);
    }
    const routes = Object.values(ENDPOINTS).map((e) => `${e.method} ${e.path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });
});

/** Every string literal (and template text) of a source file, comments excluded. */
function literals(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    )
      found.push(node.text);
    node.forEachChild(visit);
  };
  visit(source);
  return found;
}

describe('paths.ts', () => {
  it('is the only source file that spells a broker path', () => {
    const files = execFileSync('git', ['ls-files', '*.ts', '*.mts', '*.js', '*.mjs'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      // Tests and their helpers (test/, the e2e package) speak the wire on purpose;
      // test-runner configs run in plain Node, which cannot import the TypeScript source.
      .filter((f) => f && !/(^|\/)(test|e2e)\/|\.test\.ts$|\.config\.mjs$|\/paths\.ts$/.test(f));
    expect(files.length).toBeGreaterThan(20);
    const prefixes = [...new Set(Object.values(PATHS).map((p) => p.split('/:')[0]!))];
    const stray: string[] = [];
    for (const file of files) {
      for (const text of literals(join(ROOT, file))) {
        if (
          prefixes.some((p) => text === p || text.startsWith(`${p}/`) || text.startsWith(`${p}?`))
        )
          stray.push(`${file}: '${text}'`);
      }
    }
    expect(stray).toEqual([]);
  });

  it('would notice one (the scan reads literals, not comments)', () => {
    const file = join(ROOT, 'packages/shared/src/paths.ts');
    expect(literals(file)).toContain('/integrated-accounts/:id/tokens');
    expect(literals(file).some((t) => t.includes('openApiPath'))).toBe(false);
  });
});
