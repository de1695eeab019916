import { describe, expect, it } from 'vitest';
import { credentialCharProblem } from './credential-chars.ts';
import { ConnectBody } from './schemas/link.ts';
import { credentialCharProblem as fromLite } from './lite.ts';

describe('credentialCharProblem', () => {
  it('accepts what a key is made of: printable ASCII', () => {
    expect(credentialCharProblem('nrm_AbC-123._~+/=')).toBeUndefined();
    expect(credentialCharProblem('!"#$%&\'()*,:;<>?@[\\]^`{|}')).toBeUndefined();
  });

  it.each([
    ['a typographic quote', 'abc\u2019def', 'typographic_quote', 4],
    ['a typographic double quote', '\u201Cabc', 'typographic_quote', 1],
    ['a line break', 'abc\ndef', 'line_break', 4],
    ['a carriage return', 'abc\rdef', 'line_break', 4],
    ['a tab', 'ab\tc', 'tab', 3],
    ['NUL', 'ab\u0000c', 'control', 3],
    ['DEL', 'ab\u007Fc', 'control', 3],
    ['a C1 control', 'ab\u0085c', 'control', 3],
    ['a no-break space', 'ab\u00A0c', 'invisible', 3],
    ['a zero-width space', 'ab\u200Bc', 'invisible', 3],
    ['a typographic dash', 'ab\u2013c', 'typographic_dash', 3],
    ['an emoji', 'ab\u{1F511}c', 'emoji', 3],
    ['a letter beyond Latin-1', 'ab\u0416c', 'not_latin1', 3],
    ['a Latin-1 letter a header could carry but no key holds', 'ab\u00E9c', 'not_ascii', 3],
  ])('refuses %s, naming its kind and position', (_name, value, kind, position) => {
    const problem = credentialCharProblem(value);
    expect(problem).toMatchObject({ kind, position });
    expect(problem?.message).toMatch(/cannot be part of a key/);
    expect(problem?.message).toContain(`character ${position}`);
  });

  it('counts an emoji as one character, so later positions stay right', () => {
    expect(credentialCharProblem('\u{1F600}a\u2019')).toMatchObject({ kind: 'emoji', position: 1 });
  });

  it('never repeats the value in its message', () => {
    const problem = credentialCharProblem('supersecretvalue\u2019');
    expect(problem?.message).not.toContain('supersecret');
  });

  it('is part of the dependency-free lite entry, for the widget', () => {
    expect(fromLite).toBe(credentialCharProblem);
  });
});

describe('ConnectBody credentials', () => {
  const connect = (auth: Record<string, unknown>) =>
    ConnectBody.safeParse({ tenant_url: 'https://acme.nonemployee.com', auth });

  it('refuses an api_key with a typographic quote, with an issue on that field', () => {
    const result = connect({ type: 'api_key', api_key: 'abcd\u2019efgh' });
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(issue?.path).toEqual(['auth', 'api_key']);
    expect(issue?.message).toMatch(/typographic quote.*character 5/);
  });

  it.each(['client_id', 'client_secret'])('refuses a control character in %s', (field) => {
    const auth = { type: 'pat', client_id: 'id', client_secret: 'secret', [field]: 'x\u0001y' };
    const result = connect(auth);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([['auth', field]]);
  });

  it('still trims the surrounding whitespace a paste brings, and accepts the rest', () => {
    const result = connect({ type: 'api_key', api_key: '  nrm_key-123 \n' });
    expect(result.success && result.data.auth).toEqual({ type: 'api_key', api_key: 'nrm_key-123' });
  });
});
