import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ sandbox: { persons: 40 } });
});
afterAll(async () => {
  await stack.close();
});

/** A backend's code against the generated types: real calls, typed by the document. */
const PROGRAM = `
import createClient from 'openapi-fetch';
import type { paths } from './schema.ts';

export async function run(baseUrl: string, apiKey: string, token: string, profileId: string) {
  const admin = createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${apiKey}\` } });
  const nerm = createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${token}\` } });

  const link = await admin.POST('/link-tokens', { body: { tenant_id: 'generated' } });
  const linkToken: string | undefined = link.data?.link_token;

  const users = await nerm.GET('/unified/user-directory/users', {
    params: { query: { limit: 5, status: 'active' } },
  });
  const ids: string[] = users.data?.result.map((u) => u.id) ?? [];
  const firstEmail: string | undefined = users.data?.result[0]?.emails[0]?.email;

  const missing = await nerm.GET('/unified/user-directory/users/{id}', {
    params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
  });
  const missingCode: string | undefined = missing.error?.error.code;

  // A nested NERM path, its slash kept: profiles/<id>.
  const profile = await nerm.GET('/proxy/{p1}/{p2}', {
    params: { path: { p1: 'profiles', p2: profileId } },
  });
  // A NERM list in the unified envelope, asked for with the proxy's own query parameter.
  const roles = await nerm.GET('/proxy/{p1}', { params: { path: { p1: 'roles' }, query: { limit: 2 } } });

  if (Math.random() > 2) {
    // @ts-expect-error -- limit is a number: the query is typed, not never
    await nerm.GET('/unified/user-directory/users', { params: { query: { limit: 'many' } } });
    // @ts-expect-error -- an unknown path does not compile
    await nerm.GET('/unified/user-directory/groups');
  }

  return {
    linkStatus: link.response.status,
    linkToken,
    ids,
    firstEmail,
    missing: { status: missing.response.status, code: missingCode },
    profile: { status: profile.response.status, data: profile.data },
    roles: { status: roles.response.status, data: roles.data },
  };
}
`;

function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('a client generated from GET /openapi.json (openapi-typescript + openapi-fetch)', () => {
  it('compiles strictly and makes real calls, nested proxy paths included', async () => {
    const doc = (await stack.call('/openapi.json')).body;
    const schema = astToString(await openapiTS(doc));
    // Inside the package, so the program resolves openapi-fetch from its node_modules.
    const cache = resolve(import.meta.dirname, '../node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'generated-client-'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(dir, 'schema.ts'), schema);
    writeFileSync(join(dir, 'program.ts'), PROGRAM);
    expect(typeErrors([join(dir, 'program.ts')])).toEqual([]);

    const { accountId, token } = await stack.connectAccount();
    expect(accountId).toBeTruthy();
    const profileId = stack.sandbox.data.profiles[0]!.id;
    const { run } = (await import(join(dir, 'program.ts'))) as {
      run: (...args: string[]) => Promise<any>;
    };
    const result = await run(stack.url, stack.apiKey, token, profileId);

    expect(result.linkStatus).toBe(201);
    expect(result.linkToken).toMatch(/^lt_/);
    expect(result.ids).toHaveLength(5);
    expect(result.missing).toEqual({ status: 404, code: 'not_found' });
    expect(result.profile.status).toBe(200);
    expect(JSON.stringify(result.profile.data)).toContain(profileId);
    expect(result.roles.status).toBe(200);
    expect(result.roles.data.result).toHaveLength(2);
    expect(result.roles.data.next_cursor).toEqual(expect.any(String));
  }, 60_000);
});
