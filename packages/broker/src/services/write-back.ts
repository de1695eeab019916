import type { User } from '@nerm-connect/shared';
import { BrokerError } from '../errors.ts';
import { upstreamFailure } from '../nerm/lists.ts';
import { isEmptyListAnswer, isNotFoundAnswer } from '../nerm/live-answers.ts';
import { PERSON_CATEGORIES, STATUS_TO_NERM } from '../nerm/mapping.ts';
import { parseJson } from '../nerm/nerm-client.ts';
import { NermProfile, listAnswer, objectAnswer, parseAnswer } from '../nerm/schemas.ts';
import type { WriteAttempt } from './idempotency-service.ts';
import type { Tenant } from '../nerm/tenant.ts';
import { nermAttributes, type CreateBody, type UpdateBody } from './nerm-attributes.ts';
import type { TenantMetadata } from './tenant-metadata.ts';
import { noSuchUser, type UserService } from './user-service.ts';

/** Unified users written back to NERM: create a profile, update one. */
export class WriteBack {
  constructor(private readonly deps: { metadata: TenantMetadata; users: UserService }) {}

  /**
   * Under an Idempotency-Key (`attempt`), a retry whose earlier attempt sent its POST before
   * its process died first looks for the profile that POST made, and answers with it
   * instead of creating a second one (docs/architecture.md, "Idempotency").
   */
  async create(tenant: Tenant, body: CreateBody, attempt?: WriteAttempt): Promise<User> {
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
    const landed =
      attempt?.earlierSentAt === undefined
        ? undefined
        : await this.landed(tenant, payload.profile, attempt.earlierSentAt);
    let created = landed;
    if (!created) {
      await attempt?.sending();
      const res = await tenant.client.send({
        method: 'POST',
        path: 'profile',
        body: JSON.stringify(payload),
        idempotent: attempt !== undefined,
      });
      if (res.status < 200 || res.status > 299) throw upstreamFailure(res, 'profile', renames);
      created = parseAnswer(objectAnswer('profile', NermProfile), res, 'profile');
    }
    const dateFormatOf = await this.deps.metadata.dateFormats(tenant);
    return this.deps.users.mapped(tenant, created, type, { roles: [], dateFormatOf });
  }

  /** A PATCH sent twice sets the same values: a retry after a crash simply sends it again. */
  async update(
    tenant: Tenant,
    id: string,
    body: UpdateBody,
    attempt?: WriteAttempt,
  ): Promise<User> {
    const { profile: current, type } = await this.deps.users.person(tenant, id);
    const { attributes, renames } = await this.attributesFor(tenant, body, type.uid);
    const patch = {
      profile: {
        ...(body.status ? { status: STATUS_TO_NERM[body.status] } : {}),
        ...(body.name ? { name: body.name } : {}),
        ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      },
    };
    await attempt?.sending();
    const res = await tenant.client.send({
      method: 'PATCH',
      path: `profiles/${encodeURIComponent(current.id)}`,
      body: JSON.stringify(patch),
      idempotent: attempt !== undefined,
    });
    if (isNotFoundAnswer(res)) throw noSuchUser();
    if (res.status < 200 || res.status > 299) throw upstreamFailure(res, 'profile', renames);
    // An unchanged PATCH may answer "200 - No Change" without the profile: then it is as read.
    const answered = objectAnswer('profile', NermProfile).safeParse(parseJson(res));
    const updated = answered.success ? answered.data : current;
    return this.deps.users.toUser(tenant, updated, type);
  }

  /**
   * The profile an earlier attempt's POST made, if it landed: same type, name, status and
   * attributes, created no earlier than a minute before that POST was sent (clock skew
   * between the broker and NERM). None when the request names no one: it is then written
   * again (docs/architecture.md, "Idempotency").
   */
  private async landed(
    tenant: Tenant,
    wanted: {
      profile_type_id: string;
      status: string;
      name?: string;
      attributes: Record<string, string>;
    },
    sentAt: number,
  ): Promise<NermProfile | undefined> {
    if (!wanted.name) return undefined;
    const query = new URLSearchParams({
      name: wanted.name,
      profile_type_id: wanted.profile_type_id,
      limit: '100',
    });
    const res = await tenant.client.send({ method: 'GET', path: 'profiles', query });
    if (isEmptyListAnswer(res)) return undefined; // NERM's 400 "no profiles found"
    if (res.status < 200 || res.status > 299) throw upstreamFailure(res, 'profiles');
    const { items } = parseAnswer(listAnswer('profiles', NermProfile), res, 'profiles');
    return items
      .filter(
        (p) =>
          p.status === wanted.status &&
          Date.parse(p.created_at ?? '') >= sentAt - 60_000 &&
          Object.entries(wanted.attributes).every(([uid, v]) => p.attributes?.[uid] === v),
      )
      .sort((a, b) => Date.parse(a.created_at ?? '') - Date.parse(b.created_at ?? ''))[0];
  }

  private attributesFor(tenant: Tenant, body: CreateBody | UpdateBody, typeUid?: string | null) {
    return nermAttributes(body, tenant.fieldMapping, typeUid, () =>
      this.deps.metadata.attributesByUid(tenant),
    );
  }
}
