import { randomUUID } from 'node:crypto';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type CallResult, type Stack } from './helpers.ts';

let sandbox: Sandbox;
let stack: Stack;
let doc: any;
// CommonJS packages: their default export arrives wrapped under ESM.
const Ajv2020 =
  (Ajv2020Module as unknown as { default: typeof Ajv2020Module }).default ?? Ajv2020Module;
const addFormats =
  (addFormatsModule as unknown as { default: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new (Ajv2020 as any)({ strict: false, allErrors: true });
(addFormats as any)(ajv);
const validated = new Set<string>();

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 80 });
  stack = await startStack({ sandbox });
  doc = (await stack.call('/openapi.json')).body;
  ajv.addSchema({ $id: 'openapi', components: doc.components }, 'openapi');
});
afterAll(async () => {
  await stack.close();
  await sandbox.close();
});

/** Validates a live answer against the document's response for its status. */
function conforms(method: string, template: string, res: CallResult): void {
  const operation = doc.paths[template]?.[method];
  expect(operation, `${method} ${template} is documented`).toBeDefined();
  const status = [String(res.status), `${String(res.status)[0]}XX`, 'default'].find(
    (s) => operation.responses[s],
  );
  expect(status, `${method} ${template} documents HTTP ${res.status}`).toBeDefined();
  const response = operation.responses[status!];
  const schema = response.content?.['application/json']?.schema;
  if (schema?.$ref) {
    const validate =
      ajv.getSchema(`openapi${schema.$ref}`) ?? ajv.compile({ $ref: `openapi${schema.$ref}` });
    const ok = validate(res.body);
    expect(ok, `${method} ${template} ${res.status}: ${ajv.errorsText(validate.errors)}`).toBe(
      true,
    );
  } else if (res.status !== 204 && !schema) {
    expect(response.description).toBeTruthy();
  }
  validated.add(`${method} ${template} ${status}`);
}

describe('GET /openapi.json', () => {
  it('is OpenAPI 3.1 and documents every contract endpoint', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/healthz',
      '/readyz',
      '/.well-known/jwks.json',
      '/link-tokens',
      '/link/connect',
      '/tokens/exchange',
      '/integrated-accounts',
      '/integrated-accounts/{id}',
      '/integrated-accounts/{id}/verify',
      '/integrated-accounts/{id}/tokens',
      '/unified/user-directory/users',
      '/unified/user-directory/users/{id}',
      '/unified/user-directory/roles',
      '/unified/user-directory/roles/{id}',
      '/proxy/{p1}',
      '/proxy/{p1}/{p2}',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });

  it('describes every answer the broker gives, successes and errors alike', async () => {
    const { sandbox: sb } = stack;
    conforms('get', '/healthz', await stack.call('/healthz'));
    conforms('get', '/readyz', await stack.call('/readyz'));
    conforms('get', '/.well-known/jwks.json', await stack.call('/.well-known/jwks.json'));

    const lt = await stack.admin('/link-tokens', { method: 'POST', json: { tenant_id: 'doc' } });
    conforms('post', '/link-tokens', lt);
    conforms(
      'post',
      '/link-tokens',
      await stack.admin('/link-tokens', { method: 'POST', json: {} }),
    );
    conforms(
      'post',
      '/link-tokens',
      await stack.call('/link-tokens', { method: 'POST', json: { tenant_id: 'x' } }),
    );
    conforms(
      'get',
      '/link/session',
      await stack.call('/link/session', { token: lt.body.link_token }),
    );
    conforms(
      'post',
      '/link-tokens',
      await stack.admin('/link-tokens', {
        method: 'POST',
        json: { tenant_id: 'doc', hosted: true, expires_in: 3600 },
      }),
    );
    conforms('get', '/connect', await stack.call('/connect'));

    const auth = { type: 'api_key', api_key: sb.credentials.apiKey };
    conforms(
      'post',
      '/link/connect',
      await stack.connect(lt.body.link_token, { tenant_url: 'evil.example.com', auth }),
    );
    conforms(
      'post',
      '/link/connect',
      await stack.connect(lt.body.link_token, {
        tenant_url: sb.url,
        auth: { type: 'api_key', api_key: 'wrong' },
      }),
    );
    const connected = await stack.connect(lt.body.link_token, { tenant_url: sb.url, auth });
    conforms('post', '/link/connect', connected);
    conforms(
      'post',
      '/link/connect',
      await stack.connect(lt.body.link_token, { tenant_url: sb.url, auth }),
    );

    const exchanged = await stack.admin('/tokens/exchange', {
      method: 'POST',
      json: { public_token: connected.body.public_token },
    });
    conforms('post', '/tokens/exchange', exchanged);
    conforms(
      'post',
      '/tokens/exchange',
      await stack.admin('/tokens/exchange', { method: 'POST', json: { public_token: 'pt_x' } }),
    );
    const id = exchanged.body.integrated_account_id;
    const token = exchanged.body.integrated_account_token;

    conforms(
      'get',
      '/integrated-accounts',
      await stack.admin('/integrated-accounts?tenant_id=doc'),
    );
    conforms(
      'get',
      '/integrated-accounts',
      await stack.admin('/integrated-accounts?next_cursor=zzz'),
    );
    conforms('get', '/integrated-accounts/{id}', await stack.admin(`/integrated-accounts/${id}`));
    conforms('get', '/integrated-accounts/{id}', await stack.admin('/integrated-accounts/missing'));
    conforms(
      'patch',
      '/integrated-accounts/{id}',
      await stack.admin(`/integrated-accounts/${id}`, {
        method: 'PATCH',
        json: { field_mapping: { title: 'job_title' } },
      }),
    );
    conforms(
      'post',
      '/integrated-accounts/{id}/verify',
      await stack.admin(`/integrated-accounts/${id}/verify`, { method: 'POST' }),
    );
    conforms(
      'post',
      '/integrated-accounts/{id}/tokens',
      await stack.admin(`/integrated-accounts/${id}/tokens`, { method: 'POST' }),
    );

    const users = await stack.call('/unified/user-directory/users?limit=3', { token });
    conforms('get', '/unified/user-directory/users', users);
    conforms(
      'get',
      '/unified/user-directory/users',
      await stack.call('/unified/user-directory/users?limit=900', { token }),
    );
    conforms(
      'get',
      '/unified/user-directory/users',
      await stack.call('/unified/user-directory/users?next_cursor=bad', { token }),
    );
    conforms(
      'get',
      '/unified/user-directory/users',
      await stack.call('/unified/user-directory/users'),
    );
    conforms(
      'get',
      '/unified/user-directory/users/{id}',
      await stack.call(`/unified/user-directory/users/${users.body.result[0].id}`, { token }),
    );
    conforms(
      'get',
      '/unified/user-directory/users/{id}',
      await stack.call(`/unified/user-directory/users/${randomUUID()}`, { token }),
    );
    const created = await stack.call('/unified/user-directory/users', {
      method: 'POST',
      token,
      json: { user_type: 'Contractor', first_name: 'Doc', last_name: 'Umented' },
      headers: { 'idempotency-key': 'doc-1' },
    });
    conforms('post', '/unified/user-directory/users', created);
    conforms(
      'post',
      '/unified/user-directory/users',
      await stack.call('/unified/user-directory/users', {
        method: 'POST',
        token,
        json: { user_type: 'Contractor', first_name: 'Other' },
        headers: { 'idempotency-key': 'doc-1' },
      }),
    );
    conforms(
      'patch',
      '/unified/user-directory/users/{id}',
      await stack.call(`/unified/user-directory/users/${created.body.id}`, {
        method: 'PATCH',
        token,
        json: { status: 'inactive' },
      }),
    );
    conforms(
      'get',
      '/unified/user-directory/roles',
      await stack.call('/unified/user-directory/roles', { token }),
    );
    conforms(
      'get',
      '/unified/user-directory/roles/{id}',
      await stack.call(`/unified/user-directory/roles/${sb.data.roles[0]!.id}`, { token }),
    );
    conforms('get', '/proxy/{p1}', await stack.call('/proxy/roles', { token }));
    conforms('get', '/proxy/{p1}', await stack.call('/proxy/..%2f', { token }));

    const sync = (query = '') =>
      stack.admin(`/integrated-accounts/${id}/sync${query}`, { method: 'POST' });
    conforms('post', '/integrated-accounts/{id}/sync', await sync());
    conforms('post', '/integrated-accounts/{id}/sync', await sync('?mode=sideways'));
    const rotated = await stack.admin(`/integrated-accounts/${id}/sync-hook`, { method: 'POST' });
    conforms('post', '/integrated-accounts/{id}/sync-hook', rotated);
    conforms(
      'get',
      '/integrated-accounts/{id}/audit',
      await stack.admin(`/integrated-accounts/${id}/audit`),
    );
    conforms(
      'get',
      '/integrated-accounts/{id}/audit',
      await stack.admin(`/integrated-accounts/${id}/audit?limit=0`),
    );
    conforms('get', '/events', await stack.admin(`/events?integrated_account_id=${id}`));
    conforms('get', '/events', await stack.admin('/events?next_cursor=bad'));
    const hook = new URL(rotated.body.sync_hook_url).pathname;
    conforms('post', '/hooks/nerm/{hook_id}', await stack.call(hook, { method: 'POST', json: {} }));
    conforms(
      'post',
      '/hooks/nerm/{hook_id}',
      await stack.call('/hooks/nerm/hk_x', { method: 'POST' }),
    );

    conforms(
      'delete',
      '/integrated-accounts/{id}',
      await stack.admin(`/integrated-accounts/${id}`, { method: 'DELETE' }),
    );
    conforms(
      'get',
      '/unified/user-directory/roles',
      await stack.call('/unified/user-directory/roles', { token }),
    );
    conforms(
      'post',
      '/integrated-accounts/{id}/tokens',
      await stack.admin(`/integrated-accounts/${id}/tokens`, { method: 'POST' }),
    );

    // Every documented success was seen and validated.
    for (const [path, methods] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(methods)) {
        if (path === '/openapi.json' || (path.startsWith('/proxy/') && path !== '/proxy/{p1}'))
          continue;
        if (path === '/proxy/{p1}' && method !== 'get') continue;
        const success = Object.keys(op.responses).find((s) => s.startsWith('2'));
        const seen = validated.has(`${method} ${path} ${success}`);
        expect(seen, `${method} ${path} ${success} was exercised`).toBe(true);
      }
    }
  });
});
