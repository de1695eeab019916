import { describe, expect, it } from 'vitest';
import { parseRotateKeysArgs, UsageError } from './rotate-keys-args.ts';

describe('rotate-keys arguments', () => {
  it('reads --batch and --max as positive whole numbers, both optional', () => {
    expect(parseRotateKeysArgs([])).toEqual({});
    expect(parseRotateKeysArgs(['--batch', '50', '--max=200'])).toEqual({
      batchSize: 50,
      max: 200,
    });
  });

  it.each([
    [['--batch', '0'], '--batch takes a positive whole number'],
    [['--max', 'all'], '--max takes a positive whole number'],
    [['--max', '2.5'], '--max takes a positive whole number'],
    [['--bach', '5'], "Unknown option '--bach'"],
    [['--batch'], "Option '--batch <value>' argument missing"],
    [['extra'], "Unexpected argument 'extra'"],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseRotateKeysArgs(argv)).toThrow(UsageError);
    expect(() => parseRotateKeysArgs(argv)).toThrow(message);
  });
});
