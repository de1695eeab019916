import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BROKER, USER, fakeFetch, json, never } from '../../test/fake-broker.ts';
import { AccountTokens } from './account-token.ts';
import { createClient } from './client.ts';
import { checkProxyPath } from './proxy.ts';

const page = (ids: string[], next: string | null) => ({
  result: ids.map((id) => ({ ...USER, id })),
  next_cursor: next,
  prev_cursor: null,
  result_count: ids.length,
});

describe('users.list', () => {
  it('walks every page, asking for the next one as soon as the Link header names it', async () => {
    const { fetch, requests } = fakeFetch((req) =>
      req.url.searchParams.get('next_cursor') === 'c2'
        ? json(200, page(['u3'], null))
        : json(200, page(['u1', 'u2'], 'c2'), {
            link: '</unified/user-directory/users?limit=2&next_cursor=c2>; rel="next"',
          }),
    );
    const nerm = createClient({ brokerUrl: BROKER, token: 't', fetch });
    const ids = (await nerm.users.list({ limit: 2 }).toArray()).map((u) => u.id);
    expect(ids).toEqual(['u1', 'u2', 'u3']);
    expect(requests.map((r) => r.url.searchParams.get('limit'))).toEqual(['2', '2']);
  });

  it('aborts the page fetched ahead when the loop stops early', async () => {
    const { fetch, requests } = fakeFetch((req) =>
      req.url.searchParams.get('next_cursor')
        ? never(req)
        : json(200, page(['u1', 'u2'], 'c2'), { link: '<?next_cursor=c2>; rel="next"' }),
    );
    const nerm = createClient({ brokerUrl: BROKER, token: 't', fetch });
    for await (const user of nerm.users.list()) {
      expect(user.id).toBe('u1');
      break;
    }
    expect(requests).toHaveLength(2);
    expect(requests[1]!.signal?.aborted).toBe(true);
  });
});

describe('include_remote_data', () => {
  it('is sent only when asked, on lists and single reads of users and roles', async () => {
    const role = { id: 'r1', name: 'Sponsors', external_id: null, groups: [] };
    const { fetch, requests } = fakeFetch(({ url }) => {
      if (url.pathname.endsWith('/users')) return json(200, page(['u1'], null));
      if (url.pathname.endsWith('/roles'))
        return json(200, { result: [role], next_cursor: null, prev_cursor: null, result_count: 1 });
      if (url.pathname.includes('/roles/')) return json(200, role);
      return json(200, { ...USER, remote_data: { id: 'u1' } });
    });
    const nerm = createClient({ brokerUrl: BROKER, token: 't', fetch });
    await nerm.users.list().firstPage();
    await nerm.users.list({ include_remote_data: true }).firstPage();
    const one = await nerm.users.get('u1', { include_remote_data: true });
    await nerm.users.get('u1');
    await nerm.roles.list({ include_remote_data: true }).firstPage();
    await nerm.roles.get('r1', { include_remote_data: true });
    expect(one.remote_data).toEqual({ id: 'u1' });
    expect(requests.map((r) => `${r.url.pathname}${r.url.search}`)).toEqual([
      '/unified/user-directory/users',
      '/unified/user-directory/users?include_remote_data=true',
      '/unified/user-directory/users/u1?include_remote_data=true',
      '/unified/user-directory/users/u1',
      '/unified/user-directory/roles?include_remote_data=true',
      '/unified/user-directory/roles/r1?include_remote_data=true',
    ]);
  });
});

describe('write inputs', () => {
  it('are typed to the broker rules (this file compiles only if they are)', () => {
    const nerm = createClient({ brokerUrl: BROKER, token: 't', fetch: fakeFetch(never).fetch });
    if (Math.random() > 2) {
      // @ts-expect-error -- an update needs at least one field
      void nerm.users.update('u1', {});
      // @ts-expect-error -- a create needs user_type or profile_type_id
      void nerm.users.create({ first_name: 'Ada' });
      // @ts-expect-error -- not both
      void nerm.users.create({ user_type: 'Contractor', profile_type_id: 'p1' });
      // @ts-expect-error -- workflows take NERM's snake_case names
      void nerm.workflows.start({ workflowId: 'w', requesterId: 'r' });
    }
    expect(nerm.users.update).toBeTypeOf('function');
  });

  it('starts a workflow with the snake_case body NERM takes', async () => {
    const { fetch, requests } = fakeFetch(() =>
      json(201, { workflow_session: { id: 's1', workflow_id: 'w1', status: 'completed' } }),
    );
    const nerm = createClient({ brokerUrl: BROKER, token: 't', fetch });
    const session = await nerm.workflows.start({
      workflow_id: 'w1',
      requester_id: 'r1',
      profile_id: 'p1',
      attributes: { background_check: 'Passed' },
    });
    expect(session).toMatchObject({ id: 's1', status: 'completed' });
    expect(requests[0]!.url.pathname).toBe('/proxy/workflow_sessions');
    expect(requests[0]!.url.searchParams.get('run')).toBe('true');
    expect(requests[0]!.body).toEqual({
      workflow_session: {
        workflow_id: 'w1',
        requester_id: 'r1',
        requester_type: 'User',
        profile_id: 'p1',
        attributes: { background_check: 'Passed' },
      },
    });
  });
});

describe('proxy.request', () => {
  it('refuses paths that leave /api, encoded dot segments and hidden slashes included', () => {
    for (const path of [
      '%2e%2e/%2e%2e/healthz',
      '../healthz',
      'profiles/%2E%2E/x',
      'profiles/.',
      'a//b',
      '/profiles',
      'https://evil.example/api',
      'profiles%2fx',
      'profiles/%zz',
      'profiles/a%00b',
      'profiles/..;/..;/x',
      'profiles/.;x',
      'profiles/..%3b/x',
      'profiles/%EF%BC%8E%EF%BC%8E/x',
      'profiles/．．/x',
      'profiles/%C0%AE',
      '',
    ])
      expect(() => checkProxyPath(path), path).toThrow(TypeError);
    expect(checkProxyPath('profiles/3f1c-9a')).toBe('profiles/3f1c-9a');
  });

  it('parses a 2xx answer with the schema given, and says when NERM answered otherwise', async () => {
    const { fetch } = fakeFetch((req) =>
      req.url.pathname.endsWith('/missing')
        ? json(404, { error: 'Record not found' })
        : json(200, { roles: [{ id: 'r1' }] }),
    );
    const nerm = createClient({ brokerUrl: BROKER, token: 't', fetch });
    const Roles = z.object({ roles: z.array(z.object({ id: z.string() })) });
    const ok = await nerm.proxy.request({ path: 'roles', schema: Roles });
    if (!ok.ok) throw new Error('expected ok');
    expect(ok.data.roles[0]!.id).toBe('r1');
    const missing = await nerm.proxy.request({ path: 'profiles/missing', schema: Roles });
    expect(missing).toMatchObject({ ok: false, status: 404, data: { error: 'Record not found' } });
    await expect(
      nerm.proxy.request({ path: 'roles', schema: z.object({ profiles: z.array(z.unknown()) }) }),
    ).rejects.toMatchObject({ code: 'invalid_response', status: 200 });
  });
});

describe('a client bound to an account', () => {
  it('mints its token with the API key, once for concurrent calls, and reuses it', async () => {
    const { fetch, requests } = fakeFetch((req) =>
      req.url.pathname === '/integrated-accounts/acc-1/tokens'
        ? json(201, {
            integrated_account_token: 'minted',
            expires_at: new Date(Date.now() + 3_600_000).toISOString(),
          })
        : json(200, USER),
    );
    const nerm = createClient({
      brokerUrl: BROKER,
      apiKey: 'key',
      integratedAccountId: 'acc-1',
      fetch,
    });
    await Promise.all([
      nerm.users.get('u1'),
      nerm.users.get('u2'),
      nerm.roles
        .list()
        .firstPage()
        .catch(() => null),
    ]);
    await nerm.users.get('u3');
    const mints = requests.filter((r) => r.url.pathname.endsWith('/tokens'));
    expect(mints).toHaveLength(1);
    expect(mints[0]!.headers.get('authorization')).toBe('Bearer key');
    const calls = requests.filter((r) => !r.url.pathname.endsWith('/tokens'));
    expect(calls.every((r) => r.headers.get('authorization') === 'Bearer minted')).toBe(true);
  });

  it('needs both the API key and the account id', () => {
    expect(() => createClient({ brokerUrl: BROKER, apiKey: 'key' } as never)).toThrow(TypeError);
  });
});

describe('AccountTokens', () => {
  it('mints again before expiry, and at once for a token the broker called expired', async () => {
    let now = 0;
    let minted = 0;
    const tokens = new AccountTokens(
      async () => ({
        integrated_account_token: `t${++minted}`,
        expires_at: new Date(now + 3_600_000).toISOString(),
      }),
      () => now,
    );
    expect(await tokens.get()).toBe('t1');
    now = 3_500_000; // more than a minute left: kept
    expect(await tokens.get()).toBe('t1');
    now = 3_560_000; // under a minute left: minted again
    expect(await tokens.get()).toBe('t2');
    expect(await tokens.get('t1')).toBe('t2'); // an older token's expiry changes nothing
    expect(await Promise.all([tokens.get('t2'), tokens.get('t2')])).toEqual(['t3', 't3']);
    expect(minted).toBe(3);
  });

  it('passes a failed mint to every waiter and tries again next time', async () => {
    let calls = 0;
    const tokens = new AccountTokens(async () => {
      calls++;
      if (calls === 1) throw new Error('account_disconnected');
      return {
        integrated_account_token: 'ok',
        expires_at: new Date(Date.now() + 60_000).toISOString(),
      };
    });
    await expect(Promise.all([tokens.get(), tokens.get()])).rejects.toThrow('account_disconnected');
    expect(calls).toBe(1);
    expect(await tokens.get()).toBe('ok');
  });
});
