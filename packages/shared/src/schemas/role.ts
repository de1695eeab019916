import { z } from 'zod';
import { IncludeRemoteData, PageQuery, RemoteData, listEnvelope } from './common.ts';

/** A NERM role in the unified shape (docs/architecture.md, "The unified model"). */
export const RoleSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    external_id: z.string().nullable(),
    groups: z.array(z.string()),
    remote_data: RemoteData.optional(),
  })
  .meta({ id: 'Role' });
export type Role = z.infer<typeof RoleSchema>;

export const RoleListSchema = listEnvelope(RoleSchema).meta({ id: 'RoleList' });
export const ListRolesQuery = PageQuery.extend({ include_remote_data: IncludeRemoteData });
export type ListRolesQuery = z.input<typeof ListRolesQuery>;
