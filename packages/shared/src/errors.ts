import { z } from 'zod';

import { ERROR_CODES } from './error-codes.ts';

export {
  ERROR_CODES,
  ERROR_STATUS,
  isErrorCode,
  statusForCode,
  type ErrorCode,
} from './error-codes.ts';

export const ErrorCodeSchema = z.enum(ERROR_CODES);

/** One validation problem, as data (zod's `code`, `path`, `message`). */
export const IssueSchema = z.object({
  code: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
export type Issue = z.infer<typeof IssueSchema>;

export const ErrorBodySchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  request_id: z.string(),
  issues: z.array(IssueSchema).optional(),
});

/** `{"error": {...}}`, the only shape an error ever has on the wire. */
export const ErrorEnvelopeSchema = z.object({ error: ErrorBodySchema }).meta({ id: 'Error' });
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

/** Turns zod issues into the wire format (no input values, so no secrets). */
export function issuesFromZod(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({
    code: issue.code,
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
  }));
}
