// The README's `/__sandbox/*` examples, sent as they stand to a fresh sandbox: each answer
// holds what the README shows (status, headers, and the body's shown fields).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

interface Message {
  start: string;
  headers: Record<string, string>;
  body: string;
}

/** An HTTP message as written in a fenced block: start line, headers, blank line, body. */
function parse(text: string): Message {
  const [head, ...rest] = text.trim().split(/\n\n/);
  const [start, ...lines] = head!.split('\n');
  const headers = Object.fromEntries(
    lines.map((l) => {
      const at = l.indexOf(':');
      return [l.slice(0, at).trim().toLowerCase(), l.slice(at + 1).trim()];
    }),
  );
  return { start: start!.trim(), headers, body: rest.join('\n\n').trim() };
}

/** Every `<!-- sandbox-example -->`: a request block, then its answer block. */
const EXAMPLES = [
  ...readme.matchAll(/<!-- sandbox-example -->\s*```http\n([\s\S]*?)```\s*```http\n([\s\S]*?)```/g),
].map(([, request, answer]) => ({ request: parse(request!), answer: parse(answer!) }));

/** `"<…>"` in the README: present, any value. Objects: the fields shown, at least. */
function expectShown(actual: unknown, shown: unknown, where: string): void {
  if (typeof shown === 'string' && /^<.*>$/.test(shown)) {
    expect(actual, where).not.toBeUndefined();
    expect(actual, where).not.toBeNull();
  } else if (shown && typeof shown === 'object' && !Array.isArray(shown)) {
    expect(actual, where).toBeTypeOf('object');
    for (const [key, value] of Object.entries(shown))
      expectShown((actual as Record<string, unknown>)[key], value, `${where}.${key}`);
  } else {
    expect(actual, where).toEqual(shown);
  }
}

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ persons: 50 });
});
afterAll(async () => {
  await sandbox.close();
});

describe('packages/nerm-sandbox/README.md examples', () => {
  it('has the examples this test sends (every control, every admin action, the refusals)', () => {
    expect(EXAMPLES.map((e) => e.request.start)).toEqual([
      'GET /__sandbox/credentials',
      'PUT /__sandbox/faults',
      'PUT /__sandbox/quirks',
      ...Array(9).fill('POST /__sandbox/admin'),
    ]);
  });

  it('answers each as shown, in order, on one sandbox', async () => {
    const profileId = sandbox.data.profiles.find((p) => p.status === 'Active' && !p.archived)!.id;
    const fill = (text: string) => text.replaceAll('{profile_id}', profileId);
    for (const { request, answer } of EXAMPLES) {
      const [method, path] = request.start.split(' ');
      const res = await fetch(`${sandbox.url}${path}`, {
        method: method!,
        headers: request.headers,
        ...(request.body ? { body: fill(request.body) } : {}),
      });
      const where = `${request.start} ${request.body}`;
      expect(res.status, where).toBe(Number(answer.start.split(' ')[1]));
      for (const [name, value] of Object.entries(answer.headers))
        expect(res.headers.get(name), `${where}: ${name}`).toBe(value);
      const text = await res.text();
      if (answer.body) expectShown(JSON.parse(text), JSON.parse(fill(answer.body)), where);
      else expect(text, where).toBe('');
    }
    // The examples changed the tenant as they say: the profile was ended, terminated and
    // reactivated; Ada Lovelace was hired; the plain-text request changed nothing.
    expect(sandbox.data.profiles.find((p) => p.id === profileId)!.status).toBe('Active');
    expect(sandbox.data.profiles.some((p) => p.name === 'Ada Lovelace')).toBe(true);
  });

  it('fails when an answer differs from the README (the check is not vacuous)', () => {
    expect(() => expectShown({ status: 'Active' }, { status: 'Inactive' }, 'x')).toThrow();
    expect(() => expectShown({}, { id: '<…>' }, 'x')).toThrow();
    expect(() => expectShown({ a: { b: 1 } }, { a: { b: 2 } }, 'x')).toThrow();
  });
});
