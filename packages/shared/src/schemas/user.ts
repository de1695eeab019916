import { z } from 'zod';
import { text } from './text.ts';
import { IncludeRemoteData, PageQuery, RemoteData, listEnvelope } from './common.ts';

export const UserStatus = z.enum(['active', 'inactive', 'deleted']);
export type UserStatus = z.infer<typeof UserStatus>;

export const UserEmail = z.object({
  email: z.string(),
  type: z.enum(['work', 'personal']),
  is_primary: z.boolean(),
});
export type UserEmail = z.infer<typeof UserEmail>;

export const UserRoleRef = z.object({ id: z.string(), name: z.string().nullable() });

/** ISO calendar date, `yyyy-mm-dd`. */
export const IsoDate = z.iso.date();

/** A NERM person profile in the unified shape (docs/architecture.md, "The unified model"). */
export const UserSchema = z
  .object({
    id: z.string(),
    external_id: z.string().nullable(),
    name: z.string().nullable(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    emails: z.array(UserEmail),
    title: z.string().nullable(),
    status: UserStatus,
    user_type: z.string().nullable(),
    roles: z.array(UserRoleRef),
    start_date: IsoDate.nullable(),
    end_date: IsoDate.nullable(),
    created_at: z.string().nullable(),
    updated_at: z.string().nullable(),
    remote_data: RemoteData.optional(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof UserSchema>;

export const UserListSchema = listEnvelope(UserSchema).meta({ id: 'UserList' });

export const ListUsersQuery = PageQuery.extend({
  status: UserStatus.optional(),
  user_type: text().min(1).max(256).optional(),
  /** A date (`yyyy-mm-dd`) or an ISO timestamp; only users updated at or after it. */
  updated_after: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).optional(),
  include_remote_data: IncludeRemoteData,
});
export type ListUsersQuery = z.input<typeof ListUsersQuery>;

const Text = text().trim().min(1).max(1024);
const AttributeValues = z.record(text().min(1).max(256), text({ multiline: true }).max(4096));

const WritableUserFields = {
  name: Text.optional(),
  first_name: Text.optional(),
  last_name: Text.optional(),
  /**
   * The shape a read returns, so a read-modify-write round trip works. NERM keeps one work
   * and one personal email; the work one is primary when there is one, so `is_primary` is
   * accepted and follows from the types.
   */
  emails: z
    .array(
      z.strictObject({
        email: z.email(),
        type: z.enum(['work', 'personal']).default('work'),
        is_primary: z.boolean().optional(),
      }),
    )
    .max(2)
    .optional(),
  title: Text.optional(),
  status: UserStatus.optional(),
  start_date: IsoDate.optional(),
  end_date: IsoDate.optional(),
  /** Raw NERM attributes by attribute uid, written as given after the mapped fields. */
  attributes: AttributeValues.optional(),
};

/** `POST /unified/user-directory/users`: one of `user_type` or `profile_type_id`. */
export const CreateUserBody = z
  .strictObject({
    ...WritableUserFields,
    user_type: text().min(1).max(256).optional(),
    profile_type_id: text().min(1).max(64).optional(),
  })
  .refine((b) => (b.user_type === undefined) !== (b.profile_type_id === undefined), {
    message: 'give exactly one of user_type or profile_type_id',
    path: ['user_type'],
  })
  .meta({ id: 'CreateUserBody' });
export type CreateUserBody = z.input<typeof CreateUserBody>;

/** `PATCH /unified/user-directory/users/:id`: any subset, at least one field. */
export const UpdateUserBody = z
  .strictObject(WritableUserFields)
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to update' })
  .meta({ id: 'UpdateUserBody' });
export type UpdateUserBody = z.input<typeof UpdateUserBody>;
