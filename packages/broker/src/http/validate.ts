import { issuesFromZod } from '@nerm-connect/shared';
import type { z } from 'zod';
import { BrokerError } from '../errors.ts';

/** Validates at the edge; the issues name fields and rules, never the submitted values. */
export function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what = 'request',
): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = issuesFromZod(result.error);
    const first = issues[0];
    const where =
      first && first.path.length > 0
        ? ` (${first.path.join('.')}: ${first.message})`
        : first
          ? ` (${first.message})`
          : '';
    throw new BrokerError('invalid_request', `The ${what} is not valid${where}`, { issues });
  }
  return result.data;
}
