import { randomUUID } from 'node:crypto';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { settled, startStack, type Stack } from './helpers.ts';

let sandbox: Sandbox;
let stack: Stack;
let token: string;
const USERS = '/unified/user-directory/users';

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 200 });
  stack = await startStack({ sandbox });
  ({ token } = await stack.connectAccount('pat', 'tenant-write'));
});
afterAll(async () => {
  await stack.close();
  await sandbox.close();
});
beforeEach(async () => {
  sandbox.faults.set({});
  await settled(sandbox);
});

const newContractor = (overrides: Record<string, unknown> = {}) => ({
  user_type: 'Contractor',
  first_name: 'Zoë',
  last_name: "O'Neil",
  emails: [
    { email: 'zoe.oneil@acme-staffing.example', type: 'work' },
    { email: 'zoe@mail.example', type: 'personal' },
  ],
  title: 'Auditor',
  start_date: '2026-12-01',
  end_date: '2027-06-30',
  ...overrides,
});

describe('POST /unified/user-directory/users', () => {
  it('creates a NERM profile from a unified user', async () => {
    const before = sandbox.data.profiles.length;
    const res = await stack.call(USERS, { method: 'POST', token, json: newContractor() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: "Zoë O'Neil",
      first_name: 'Zoë',
      last_name: "O'Neil",
      emails: [
        { email: 'zoe.oneil@acme-staffing.example', type: 'work', is_primary: true },
        { email: 'zoe@mail.example', type: 'personal', is_primary: false },
      ],
      title: 'Auditor',
      status: 'active',
      user_type: 'Contractor',
      roles: [],
      start_date: '2026-12-01',
      end_date: '2027-06-30',
    });
    expect(sandbox.data.profiles.length).toBe(before + 1);
    const stored = sandbox.data.profiles.find((p) => p.id === res.body.id)!;
    expect(stored).toMatchObject({
      status: 'Active',
      attributes: {
        first_name: 'Zoë',
        last_name: "O'Neil",
        email: 'zoe.oneil@acme-staffing.example',
        personal_email: 'zoe@mail.example',
        job_title: 'Auditor',
        start_date: '01/12/2026',
        end_date: '30/06/2027',
      },
    });
    const read = await stack.call(`${USERS}/${res.body.id}`, { token });
    expect(read.body).toEqual(res.body);
  });

  it('accepts a profile_type_id and raw attributes', async () => {
    const type = sandbox.data.profileTypes.find((t) => t.uid === 'employee')!;
    const res = await stack.call(USERS, {
      method: 'POST',
      token,
      json: {
        profile_type_id: type.id,
        name: 'Kenji Watanabe',
        status: 'inactive',
        attributes: { phone: '+1-555-0100' },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      user_type: 'Employee',
      status: 'inactive',
      first_name: 'Kenji',
      last_name: 'Watanabe',
    });
    expect(sandbox.data.profiles.find((p) => p.id === res.body.id)!.attributes.phone).toBe(
      '+1-555-0100',
    );
  });

  it('replays the first result for a repeated Idempotency-Key, once in NERM', async () => {
    const key = randomUUID();
    const before = sandbox.data.profiles.length;
    const body = newContractor({ first_name: 'Idem', emails: [] });
    const first = await stack.call(USERS, {
      method: 'POST',
      token,
      json: body,
      headers: { 'idempotency-key': key },
    });
    const second = await stack.call(USERS, {
      method: 'POST',
      token,
      json: body,
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(sandbox.data.profiles.length).toBe(before + 1);

    const other = await stack.call(USERS, {
      method: 'POST',
      token,
      json: { ...body, first_name: 'Different' },
      headers: { 'idempotency-key': key },
    });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(sandbox.data.profiles.length).toBe(before + 1);
  });

  it('answers two concurrent requests with one key with one profile', async () => {
    const key = randomUUID();
    const before = sandbox.data.profiles.length;
    sandbox.faults.set({ latencyMs: 50 });
    const body = newContractor({ first_name: 'Twice', emails: [] });
    const [a, b] = await Promise.all(
      [0, 1].map(() =>
        stack.call(USERS, {
          method: 'POST',
          token,
          json: body,
          headers: { 'idempotency-key': key },
        }),
      ),
    );
    expect([a!.status, b!.status]).toEqual([201, 201]);
    expect(a!.body.id).toBe(b!.body.id);
    expect(sandbox.data.profiles.length).toBe(before + 1);
  });

  it('returns NERM validation errors as invalid_request with field issues', async () => {
    const res = await stack.call(USERS, {
      method: 'POST',
      token,
      json: newContractor({ attributes: { no_such_attribute: 'x' } }),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.issues).toEqual([
      {
        code: 'nerm_validation',
        path: ['attributes', 'no_such_attribute'],
        message: 'is not a valid attribute',
      },
    ]);
  });

  it('refuses non-person types, unknown types, both type fields, and bad fields before calling NERM', async () => {
    sandbox.stats.reset();
    for (const json of [
      newContractor({ user_type: 'Vendor' }),
      newContractor({ user_type: 'Astronaut' }),
      { ...newContractor(), profile_type_id: sandbox.data.profileTypes[0]!.id },
      newContractor({ start_date: '12/01/2026' }),
      newContractor({ emails: [{ email: 'not-an-email', type: 'work' }] }),
      newContractor({ status: 'On Leave' }),
      newContractor({ password: 'x' }),
    ]) {
      const res = await stack.call(USERS, { method: 'POST', token, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.issues.length).toBeGreaterThan(0);
    }
    expect(sandbox.stats.route('POST /api/profile')).toBe(0);
  });
});

describe('PATCH /unified/user-directory/users/:id', () => {
  it('changes status and mapped fields', async () => {
    const person = sandbox.data.profiles.find(
      (p) => p.status === 'Active' && p.attributes.job_title && p.attributes.first_name,
    )!;
    const res = await stack.call(`${USERS}/${person.id}`, {
      method: 'PATCH',
      token,
      json: { status: 'deleted', title: 'Former Contractor', end_date: '2026-11-30' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: person.id,
      status: 'deleted',
      title: 'Former Contractor',
      end_date: '2026-11-30',
    });
    expect(person.status).toBe('Terminated');
    expect(person.attributes.job_title).toBe('Former Contractor');
    expect(person.attributes.end_date).toBe('30/11/2026');
  });

  it('answers 404 for non-person and unknown profiles, 400 for an empty patch', async () => {
    const types = new Map(sandbox.data.profileTypes.map((t) => [t.id, t.category]));
    const org = sandbox.data.profiles.find((p) => types.get(p.profile_type_id) === 'organization')!;
    expect(
      (
        await stack.call(`${USERS}/${org.id}`, {
          method: 'PATCH',
          token,
          json: { status: 'inactive' },
        })
      ).status,
    ).toBe(404);
    expect(org.status).toBe('Active');
    expect(
      (
        await stack.call(`${USERS}/${randomUUID()}`, {
          method: 'PATCH',
          token,
          json: { status: 'inactive' },
        })
      ).status,
    ).toBe(404);
    const person = sandbox.data.profiles.find(
      (p) => types.get(p.profile_type_id) === 'non-employee',
    )!;
    expect(
      (await stack.call(`${USERS}/${person.id}`, { method: 'PATCH', token, json: {} })).body.error
        .code,
    ).toBe('invalid_request');
  });
});

describe('resilience', () => {
  it('retries reads through 5xx bursts', async () => {
    sandbox.faults.set({ failNext: { count: 2, status: 503 } });
    const res = await stack.call(`${USERS}?limit=5`, { token });
    expect(res.status).toBe(200);
  });

  it('does not retry a write without an Idempotency-Key', async () => {
    const before = sandbox.data.profiles.length;
    sandbox.stats.reset();
    sandbox.faults.set({ failNext: { count: 1, status: 502 } });
    const res = await stack.call(USERS, {
      method: 'POST',
      token,
      json: newContractor({ first_name: 'Once', emails: [] }),
    });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('upstream_error');
    expect(
      sandbox.stats.recent.filter((r) => r.method === 'POST' && r.path === '/api/profile'),
    ).toHaveLength(1);
    expect(sandbox.data.profiles.length).toBe(before);
  });

  it('retries a write that carries an Idempotency-Key', async () => {
    const before = sandbox.data.profiles.length;
    sandbox.faults.set({ failNext: { count: 2, status: 503 } });
    const res = await stack.call(USERS, {
      method: 'POST',
      token,
      json: newContractor({ first_name: 'Retried', emails: [] }),
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.status).toBe(201);
    expect(sandbox.data.profiles.length).toBe(before + 1);
  });

  it('answers 429 rate_limited with Retry-After when NERM asks for a long wait, never a 5xx', async () => {
    sandbox.faults.set({ rateLimitEvery: 1, retryAfterSeconds: 120 });
    const res = await stack.call(`${USERS}?limit=5`, { token });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('rate_limited');
    expect(res.headers.get('retry-after')).toBe('120');
  });

  it('refreshes an expired PAT token once, and marks the account needs_reauth when NERM still refuses', async () => {
    const own = await startSandbox({ persons: 20 });
    const mini = await startStack({ sandbox: own });
    try {
      const { accountId, token: t } = await mini.connectAccount('pat');
      own.expireTokens();
      expect((await mini.call(`${USERS}?limit=2`, { token: t })).status).toBe(200);
      const issued = own.stats.tokensIssued;
      own.rotateCredentials();
      const res = await mini.call(`${USERS}?limit=2`, { token: t });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('account_needs_reauth');
      expect((await mini.admin(`/integrated-accounts/${accountId}`)).body.status).toBe(
        'needs_reauth',
      );
      // Later calls answer at once, without asking NERM again.
      const calls = own.stats.total;
      expect((await mini.call(`${USERS}?limit=2`, { token: t })).status).toBe(409);
      expect(own.stats.total).toBe(calls);
      expect(own.stats.tokensIssued).toBe(issued);
    } finally {
      await mini.close();
      await own.close();
    }
  });

  it('shares one token refresh between concurrent requests', async () => {
    const own = await startSandbox({ persons: 20 });
    const mini = await startStack({ sandbox: own });
    try {
      const { token: t } = await mini.connectAccount('pat');
      await mini.call(`${USERS}?limit=2`, { token: t });
      own.expireTokens();
      const before = own.stats.tokensIssued;
      const results = await Promise.all(
        Array.from({ length: 8 }, () => mini.call(`${USERS}?limit=2`, { token: t })),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(own.stats.tokensIssued - before).toBe(1);
    } finally {
      await mini.close();
      await own.close();
    }
  });
});
