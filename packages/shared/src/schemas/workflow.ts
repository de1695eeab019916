import { z } from 'zod';
import { text } from './text.ts';

/** NERM's requester kinds for a workflow session. */
export const RequesterType = z.enum([
  'User',
  'NeprofileUser',
  'NeaccessUser',
  'NeaccessRegistrant',
]);

/**
 * SDK input of `workflows.start`: a NERM workflow session created with `run=true`, in
 * NERM's own (snake_case) field names.
 */
export const StartWorkflowInput = z.strictObject({
  workflow_id: text().min(1),
  requester_id: text().min(1),
  requester_type: RequesterType.default('User'),
  profile_id: text().min(1).optional(),
  profile_ids: z.array(text().min(1)).optional(),
  /** Attribute values by attribute uid, e.g. `{ background_check: 'Passed' }`. */
  attributes: z.record(text(), text({ multiline: true })).optional(),
});
export type StartWorkflowInput = z.input<typeof StartWorkflowInput>;

export const WorkflowSessionSchema = z
  .object({
    id: z.string(),
    uid: z.string().nullish(),
    workflow_id: z.string(),
    requester_id: z.string().nullish(),
    requester_type: z.string().nullish(),
    profile_id: z.string().nullish(),
    profile_ids: z.array(z.string()).nullish(),
    status: z.string().nullish(),
    attributes: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose();
export type WorkflowSession = z.infer<typeof WorkflowSessionSchema>;
