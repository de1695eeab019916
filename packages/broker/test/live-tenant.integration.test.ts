import { seedTenant, startSandbox, type Quirks, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedUsers } from './expected-mapping.ts';
import { startStack, walk, type Stack } from './helpers.ts';

/**
 * The broker against what live tenants answer (docs/nerm-live-behaviour.md): empty lists as
 * 400 "no profiles found", unknown ids as 400 "profile not found", archived profiles. Every
 * case also runs against the spec's idealised answers (200 [], 404), which some tenants give.
 */
const USERS = '/unified/user-directory/users';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

describe.each<[string, Quirks]>([
  ['a live tenant', {}],
  ["a tenant answering the spec's 200 [] and 404", { emptyListAs200: true, notFoundAs404: true }],
])('%s', (_name, quirks) => {
  let sandbox: Sandbox;
  let stack: Stack;
  let token: string;

  beforeAll(async () => {
    stack = await startStack({ sandbox: { persons: 300, quirks } });
    sandbox = stack.sandbox;
    ({ token } = await stack.connectAccount('api_key'));
  });
  afterAll(() => stack.close());

  it('answers a filter that matches nothing with an empty page', async () => {
    const res = await stack.call(`${USERS}?updated_after=2099-01-01`, { token });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ result: [], next_cursor: null, prev_cursor: null, result_count: 0 });
  });

  it('pages a proxied list that matches nothing as an empty envelope, and passes it through 1:1 unpaged', async () => {
    const paged = await stack.call('/proxy/profiles?limit=50&updated_after=2099-01-01', { token });
    expect(paged.status, paged.text).toBe(200);
    expect(paged.body).toEqual({
      result: [],
      next_cursor: null,
      prev_cursor: null,
      result_count: 0,
    });
    const direct = await fetch(`${sandbox.url}/api/profiles?updated_after=2099-01-01`, {
      headers: { authorization: `Bearer ${sandbox.credentials.apiKey}` },
    });
    const raw = await stack.call('/proxy/profiles?updated_after=2099-01-01', { token });
    expect(raw.status).toBe(direct.status);
    expect(raw.text).toBe(await direct.text());
  });

  it('answers 404 not_found for an unknown or archived user, on GET and PATCH', async () => {
    const archived = sandbox.data.profiles.find((p) => p.archived)!;
    for (const id of [UNKNOWN, archived.id]) {
      const get = await stack.call(`${USERS}/${id}`, { token });
      expect(get.status, get.text).toBe(404);
      expect(get.body.error.code).toBe('not_found');
      const patch = await stack.call(`${USERS}/${id}`, {
        token,
        method: 'PATCH',
        json: { title: 'Auditor' },
      });
      expect(patch.status, patch.text).toBe(404);
      expect(patch.body.error.code).toBe('not_found');
    }
  });

  it('answers 404 not_found for an unknown role', async () => {
    const res = await stack.call(`/unified/user-directory/roles/${UNKNOWN}`, { token });
    expect(res.status, res.text).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('never lists an archived profile as a user', async () => {
    const ids = await walk(stack, token, 'limit=500');
    expect(ids.sort()).toEqual([...expectedUsers(sandbox).keys()].sort());
  });
});

describe('a tenant answering an unchanged PATCH with "200 - No Change" and no profile', () => {
  let sandbox: Sandbox;
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      sandbox: { persons: 60, quirks: { noChangeWithoutProfile: true } },
    });
    sandbox = stack.sandbox;
  });
  afterAll(() => stack.close());

  it('answers the user as it is, and a real change as NERM wrote it', async () => {
    const { token } = await stack.connectAccount('api_key');
    const id = [...expectedUsers(sandbox).keys()][3]!;
    const read = await stack.call(`${USERS}/${id}`, { token });
    const same = await stack.call(`${USERS}/${id}`, {
      token,
      method: 'PATCH',
      json: { status: read.body.status },
    });
    expect(same.status, same.text).toBe(200);
    expect(same.body).toEqual(read.body);
    const changed = await stack.call(`${USERS}/${id}`, {
      token,
      method: 'PATCH',
      json: { title: 'Chief Auditor' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.title).toBe('Chief Auditor');
  });
});

describe('a tenant with no profiles at all', () => {
  let sandbox: Sandbox;
  let stack: Stack;

  beforeAll(async () => {
    const data = seedTenant({ persons: 0 });
    data.profiles = [];
    data.roleProfiles = [];
    data.workflowSessions = [];
    sandbox = await startSandbox({ data });
    stack = await startStack({ sandbox });
  });
  afterAll(async () => {
    await stack.close();
    await sandbox.close();
  });

  it('connects, and lists no users', async () => {
    const { token } = await stack.connectAccount('pat');
    const res = await stack.call(USERS, { token });
    expect(res.status, res.text).toBe(200);
    expect(res.body.result).toEqual([]);
    expect(res.body.next_cursor).toBeNull();
  });
});

describe('a tenant without _metadata', () => {
  let sandbox: Sandbox;
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ sandbox: { persons: 200, quirks: { noMetadata: true } } });
    sandbox = stack.sandbox;
  });
  afterAll(() => stack.close());

  it('walks to the end, where an offset past the last record answers 400 "no profiles found"', async () => {
    const { token } = await stack.connectAccount('api_key');
    const ids = await walk(stack, token, 'limit=500');
    expect(ids.length).toBe(expectedUsers(sandbox).size);
  });
});
