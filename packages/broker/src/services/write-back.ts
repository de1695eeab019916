import {
  MAPPABLE_FIELDS,
  type CreateUserBody,
  type MappableField,
  type UpdateUserBody,
  type User,
} from '@nerm-connect/shared';
import type { z } from 'zod';
import { BrokerError } from '../errors.ts';
import { upstreamFailure } from '../nerm/lists.ts';
import { isNotFoundAnswer } from '../nerm/live-answers.ts';
import { isNermDateFormat, writeNermDate } from '../nerm/dates.ts';
import { ATTRIBUTE_FALLBACKS, PERSON_CATEGORIES, STATUS_TO_NERM } from '../nerm/mapping.ts';
import { parseJson } from '../nerm/nerm-client.ts';
import { NermProfile, objectAnswer, parseAnswer } from '../nerm/schemas.ts';
import type { Tenant } from '../nerm/tenant.ts';
import type { TenantMetadata } from './tenant-metadata.ts';
import { noSuchUser, type UserService } from './user-service.ts';

type CreateBody = z.output<typeof CreateUserBody>;
type UpdateBody = z.output<typeof UpdateUserBody>;

/** Where NERM's field errors point, in the caller's own words. */
type Renames = (field: string) => (string | number)[];

/** Unified users written back to NERM: create a profile, update one. */
export class WriteBack {
  constructor(private readonly deps: { metadata: TenantMetadata; users: UserService }) {}

  async create(tenant: Tenant, body: CreateBody, idempotent: boolean): Promise<User> {
    const types = await this.deps.metadata.profileTypes(tenant);
    const all = [...types.values()];
    const type = body.profile_type_id
      ? types.get(body.profile_type_id)
      : (all.find((t) => t.name === body.user_type) ??
        all.find((t) => t.name?.toLowerCase() === body.user_type?.toLowerCase()));
    if (!type || !PERSON_CATEGORIES.has(String(type.category))) {
      const field = body.profile_type_id ? 'profile_type_id' : 'user_type';
      throw new BrokerError(
        'invalid_request',
        `${field} does not name a person profile type in this tenant`,
        {
          issues: [
            {
              code: 'unknown_profile_type',
              path: [field],
              message: 'not an employee or non-employee profile type',
            },
          ],
        },
      );
    }
    const { attributes, renames } = await this.attributesFor(tenant, body, type.uid);
    const name =
      body.name ?? ([body.first_name, body.last_name].filter(Boolean).join(' ') || undefined);
    const payload = {
      profile: {
        profile_type_id: type.id,
        status: STATUS_TO_NERM[body.status ?? 'active'],
        ...(name ? { name } : {}),
        attributes,
      },
    };
    const res = await tenant.client.send({
      method: 'POST',
      path: 'profile',
      body: JSON.stringify(payload),
      idempotent,
    });
    if (res.status < 200 || res.status > 299) throw upstreamFailure(res, 'profile', renames);
    const created = parseAnswer(objectAnswer('profile', NermProfile), res, 'profile');
    const dateFormatOf = await this.deps.metadata.dateFormats(tenant);
    return this.deps.users.mapped(tenant, created, type, { roles: [], dateFormatOf });
  }

  async update(tenant: Tenant, id: string, body: UpdateBody, idempotent: boolean): Promise<User> {
    const { profile: current, type } = await this.deps.users.person(tenant, id);
    const { attributes, renames } = await this.attributesFor(tenant, body, type.uid);
    const patch = {
      profile: {
        ...(body.status ? { status: STATUS_TO_NERM[body.status] } : {}),
        ...(body.name ? { name: body.name } : {}),
        ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      },
    };
    const res = await tenant.client.send({
      method: 'PATCH',
      path: `profiles/${encodeURIComponent(current.id)}`,
      body: JSON.stringify(patch),
      idempotent,
    });
    if (isNotFoundAnswer(res)) throw noSuchUser();
    if (res.status < 200 || res.status > 299) throw upstreamFailure(res, 'profile', renames);
    // An unchanged PATCH may answer "200 - No Change" without the profile: then it is as read.
    const answered = objectAnswer('profile', NermProfile).safeParse(parseJson(res));
    const updated = answered.success ? answered.data : current;
    return this.deps.users.toUser(tenant, updated, type);
  }

  /**
   * Unified fields → NERM attributes: the account's mapping first, else the first
   * fallback uid this tenant defines. Also returns how to name NERM's field errors.
   */
  private async attributesFor(
    tenant: Tenant,
    body: CreateBody | UpdateBody,
    typeUid: string | null | undefined,
  ): Promise<{ attributes: Record<string, string>; renames: Renames }> {
    // Each field goes where its profile type reads it from: the type's entry, the account's.
    const perType = typeUid ? tenant.fieldMapping.by_profile_type?.[typeUid] : undefined;
    const mapping = { ...tenant.fieldMapping, ...perType };
    const values: Partial<Record<MappableField, string | undefined>> = {
      first_name: body.first_name,
      last_name: body.last_name,
      title: body.title,
      start_date: body.start_date,
      end_date: body.end_date,
    };
    const emails = body.emails ?? [];
    for (const type of ['work', 'personal'] as const) {
      const matching = emails.filter((e) => e.type === type);
      if (matching.length > 1) {
        throw new BrokerError(
          'invalid_request',
          `At most one ${type} email can be written to NERM`,
          {
            issues: [
              { code: 'too_many_emails', path: ['emails'], message: `more than one ${type} email` },
            ],
          },
        );
      }
      if (matching[0]) values[type === 'work' ? 'email' : 'personal_email'] = matching[0].email;
    }
    const needed = MAPPABLE_FIELDS.filter((f) => values[f] !== undefined);
    const dates = needed.some((f) => f === 'start_date' || f === 'end_date');
    const known =
      dates || needed.some((f) => !mapping[f])
        ? await this.deps.metadata.attributesByUid(tenant)
        : null;
    const attributes: Record<string, string> = {};
    const origin = new Map<string, (string | number)[]>();
    for (const field of needed) {
      const uid =
        mapping[field] ??
        (known ? ATTRIBUTE_FALLBACKS[field].find((u) => known.has(u)) : undefined) ??
        (ATTRIBUTE_FALLBACKS[field][0] as string);
      const value = values[field] as string;
      attributes[uid] =
        field === 'start_date' || field === 'end_date'
          ? writeDate(value, uid, known?.get(uid)?.date_format, field)
          : value;
      origin.set(uid, field === 'email' || field === 'personal_email' ? ['emails'] : [field]);
    }
    for (const [uid, value] of Object.entries(body.attributes ?? {})) {
      attributes[uid] = value;
      origin.set(uid, ['attributes', uid]);
    }
    const topLevel = new Set(['name', 'status', 'profile_type_id']);
    return {
      attributes,
      renames: (field) =>
        origin.get(field) ??
        (topLevel.has(field)
          ? [field === 'profile_type_id' ? 'user_type' : field]
          : ['attributes', field]),
    };
  }
}

/** An ISO date in the format of the attribute it goes to; refused when the tenant does not say. */
function writeDate(iso: string, uid: string, format: unknown, field: string): string {
  if (isNermDateFormat(format)) return writeNermDate(iso, format);
  throw new BrokerError(
    'invalid_request',
    `NERM does not say how attribute ${uid} takes dates, so ${field} cannot be written`,
    {
      issues: [
        { code: 'unknown_date_format', path: [field], message: `no date_format for ${uid}` },
      ],
    },
  );
}
