import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index.ts';

/** What live NERM tenants do beyond the spec's happy path (docs/nerm-live-behaviour.md). */
let sandbox: Sandbox;

async function call(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${sandbox.credentials.apiKey}`);
  if (init.body) headers.set('content-type', 'application/json');
  const res = await fetch(`${sandbox.url}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function keysetWalk(query = '') {
  const pages: any[] = [];
  let after = '00000000-0000-0000-0000-000000000000';
  for (let i = 0; i < 100; i++) {
    const res = await call(`/api/profiles?limit=100&metadata=true&after_id=${after}${query}`);
    pages.push(res);
    if (res.status !== 200 || res.body._metadata.after_id === null) break;
    after = res.body._metadata.after_id;
  }
  return pages;
}

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 250 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.setQuirks({});
  sandbox.faults.set({});
});

describe('empty lists', () => {
  it('answer 400 "no profiles found" for no match and for an offset past the end', async () => {
    const none = { status: 400, body: { error: 'no profiles found' } };
    expect(await call('/api/profiles?updated_after=2099-01-01')).toEqual(none);
    expect(await call('/api/profiles?name=Nobody%20At%20All')).toEqual(none);
    const total = sandbox.data.profiles.filter((p) => !p.archived).length;
    expect(await call(`/api/profiles?offset=${total}`)).toEqual(none);
    expect((await call(`/api/profiles?offset=${total - 1}`)).status).toBe(200);
  });

  it('answer other lists the same way, in their own words', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await call(`/api/role_profiles?profile_id=${unknown}`)).toEqual({
      status: 400,
      body: { error: 'no role profiles found' },
    });
    expect(await call(`/api/workflow_sessions?profile_id=${unknown}`)).toEqual({
      status: 400,
      body: { error: 'no workflow sessions found' },
    });
  });

  it("answer the spec's 200 [] with the emptyListAs200 quirk", async () => {
    sandbox.setQuirks({ emptyListAs200: true });
    expect(await call('/api/profiles?updated_after=2099-01-01')).toEqual({
      status: 200,
      body: { profiles: [] },
    });
  });
});

describe('unknown ids', () => {
  it("answer the spec's 404 with the notFoundAs404 quirk", async () => {
    sandbox.setQuirks({ notFoundAs404: true });
    expect(await call('/api/profiles/00000000-0000-4000-8000-000000000000')).toEqual({
      status: 404,
      body: { error: 'The requested Profile was not found' },
    });
  });
});

describe('archived profiles', () => {
  const archived = () => sandbox.data.profiles.filter((p) => p.archived);

  it('exist in the seeded tenant', () => {
    expect(archived().length).toBeGreaterThan(0);
  });

  it('are hidden from offset lists and single reads', async () => {
    const res = await call('/api/profiles?limit=500&metadata=true');
    const ids = new Set(res.body.profiles.map((p: any) => p.id));
    expect(archived().some((p) => ids.has(p.id))).toBe(false);
    expect(res.body._metadata.total).toBe(sandbox.data.profiles.length - archived().length);
    expect(await call(`/api/profiles/${archived()[0]!.id}`)).toEqual({
      status: 400,
      body: { error: 'profile not found' },
    });
  });

  it('are returned in keyset mode, marked archived: true', async () => {
    const seen = (await keysetWalk()).flatMap((page) => page.body.profiles);
    expect(seen.length).toBe(sandbox.data.profiles.length);
    const marked = seen.filter((p) => p.archived === true).map((p) => p.id);
    expect(marked.sort()).toEqual(
      archived()
        .map((p) => p.id)
        .sort(),
    );
    expect(seen.every((p) => typeof p.archived === 'boolean')).toBe(true);
  });
});

describe('keyset paging (after_id)', () => {
  it('runs in id order and ends with after_id: null on the last page', async () => {
    const pages = await keysetWalk();
    const ids = pages.flatMap((page) => page.body.profiles.map((p: any) => p.id));
    expect(ids).toEqual([...ids].sort());
    expect(pages.at(-1)!.body._metadata.after_id).toBeNull();
    expect(pages.at(-1)!.body.profiles.length).toBeGreaterThan(0);
    const past = await call(`/api/profiles?metadata=true&after_id=${ids.at(-1)}`);
    expect(past).toMatchObject({
      status: 200,
      body: { profiles: [], _metadata: { after_id: null } },
    });
  });

  it('takes profile_type_id and updated_after, and refuses offset and status', async () => {
    const type = sandbox.data.profileTypes.find((t) => t.uid === 'contractor')!;
    const pages = await keysetWalk(`&profile_type_id=${type.id}&updated_after=2024-01-01`);
    const seen = pages.flatMap((page) => page.body.profiles);
    const want = sandbox.data.profiles.filter(
      (p) => p.profile_type_id === type.id && Date.parse(p.updated_at) >= Date.UTC(2024, 0, 1),
    );
    expect(seen.map((p) => p.id).sort()).toEqual(want.map((p) => p.id).sort());
    expect((await call('/api/profiles?after_id=&offset=5')).status).toBe(400);
    expect((await call('/api/profiles?after_id=&status=Active')).status).toBe(400);
  });

  it('ends with 400 "no profiles found" as tenants before May 2025 do (keysetEndAs400)', async () => {
    sandbox.setQuirks({ keysetEndAs400: true });
    const pages = await keysetWalk();
    const last = pages.at(-1)!;
    expect(last).toEqual({ status: 400, body: { error: 'no profiles found' } });
    const seen = pages.slice(0, -1).flatMap((page) => page.body.profiles);
    expect(seen.length).toBe(sandbox.data.profiles.length);
  });
});

describe('PATCH', () => {
  it('leaves updated_at alone when nothing changes, and moves it when something does', async () => {
    const target = sandbox.data.profiles.find((p) => !p.archived && p.attributes.job_title)!;
    const before = target.updated_at;
    const same = await call(`/api/profiles/${target.id}`, {
      method: 'PATCH',
      body: JSON.stringify({
        profile: { status: target.status, attributes: { job_title: target.attributes.job_title } },
      }),
    });
    expect(same.status).toBe(200);
    expect(same.body.profile.updated_at).toBe(before);
    const changed = await call(`/api/profiles/${target.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ profile: { attributes: { job_title: 'Chief Tester' } } }),
    });
    expect(changed.body.profile.updated_at).not.toBe(before);
    expect(changed.body.profile.attributes.job_title).toBe('Chief Tester');
  });

  it('answers "200 - No Change" without the profile with the noChangeWithoutProfile quirk', async () => {
    sandbox.setQuirks({ noChangeWithoutProfile: true });
    const target = sandbox.data.profiles.find((p) => !p.archived && p.attributes.job_title)!;
    const same = await call(`/api/profiles/${target.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ profile: { status: target.status } }),
    });
    expect(same).toEqual({ status: 200, body: { message: 'No Change' } });
    const changed = await call(`/api/profiles/${target.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ profile: { attributes: { job_title: 'Chief Auditor' } } }),
    });
    expect(changed.body.profile.attributes.job_title).toBe('Chief Auditor');
  });
});

describe('control endpoints', () => {
  it('replace faults and quirks at runtime with PUT, outside the NERM API', async () => {
    const put = (path: string, body: unknown) =>
      fetch(`${sandbox.url}${path}`, { method: 'PUT', body: JSON.stringify(body) });
    expect((await put('/__sandbox/faults', { failNext: { count: 1, status: 503 } })).status).toBe(
      204,
    );
    expect((await fetch(`${sandbox.url}/api/roles`)).status).toBe(503);
    expect((await put('/__sandbox/quirks', { emptyListAs200: true })).status).toBe(204);
    expect((await call('/api/profiles?updated_after=2099-01-01')).status).toBe(200);
    expect((await put('/__sandbox/quirks', {})).status).toBe(204);
    expect((await call('/api/profiles?updated_after=2099-01-01')).status).toBe(400);
    const bad = await fetch(`${sandbox.url}/__sandbox/quirks`, { method: 'PUT', body: 'nope' });
    expect(bad.status).toBe(400);
  });
});
