import { randomUUID } from 'node:crypto';
import { validationFailed } from './errors.ts';
import type { ApiContext } from './context.ts';
import { ordered, parseBool } from './paging.ts';
import { ProfileInput, objectField, type FieldErrors } from './profile-input.ts';
import { newUid, type ProfilesApi } from './profiles-api.ts';
import { ok, type ApiRequest, type ApiResponse, type Router } from './router.ts';
import { nermTimestamp } from './seed.ts';
import type { Profile, WorkflowSession } from './types.ts';

const ORDER_FIELDS = ['id', 'uid', 'name', 'created_at', 'updated_at', 'status'];
const REQUESTER_TYPES = ['User', 'NeprofileUser', 'NeaccessUser', 'NeaccessRegistrant'];

function renderSession(session: WorkflowSession): Record<string, unknown> {
  const { created_at: _c, updated_at: _u, ...rest } = session;
  return rest;
}

/** `/api/workflow_sessions`: list, read, and start (with `run=true`, run) a workflow. */
export class WorkflowsApi {
  private readonly input: ProfileInput;

  constructor(
    private readonly ctx: ApiContext,
    private readonly profiles: ProfilesApi,
  ) {
    this.input = new ProfileInput(ctx);
  }

  register(router: Router): void {
    router.on('GET', '/api/workflow_sessions', (r) => this.list(r));
    router.on('POST', '/api/workflow_sessions', (r) => this.create(r));
    router.on('GET', '/api/workflow_sessions/:id', (r) => {
      const id = r.params.id;
      const session = this.ctx.data.workflowSessions.find((s) => s.id === id || s.uid === id);
      if (!session) throw this.ctx.notFound('WorkflowSession');
      return ok({ workflow_session: renderSession(session) });
    });
  }

  private list(req: ApiRequest): ApiResponse {
    const q = req.query;
    // The filter spells statuses with spaces ("pending approval"); objects use snake_case.
    const status = q.get('status')?.replace(/ /g, '_') ?? null;
    const filters: [keyof WorkflowSession, string | null][] = [
      ['profile_id', q.get('profile_id')],
      ['workflow_id', q.get('workflow_id')],
      ['requester_id', q.get('requester_id')],
      ['uid', q.get('uid')],
      ['status', status],
    ];
    const items = this.ctx.data.workflowSessions.filter((s) =>
      filters.every(([key, want]) => !want || s[key] === want),
    );
    const sorted = ordered(items, q.get('order'), ORDER_FIELDS);
    return this.ctx.list('workflow_sessions', sorted, q, req.path, renderSession);
  }

  private create(req: ApiRequest): ApiResponse {
    const { data } = this.ctx;
    const input = objectField(req.body, 'workflow_session');
    const errors: FieldErrors = {};
    const workflow = data.workflows.find(
      (w) => w.id === input.workflow_id || w.uid === input.workflow_id,
    );
    if (!input.workflow_id) errors.workflow_id = ["can't be blank"];
    else if (!workflow) errors.workflow = ['must exist'];
    if (!input.requester_id) errors.requester_id = ["can't be blank"];
    if (!input.requester_type) errors.requester_type = ["can't be blank"];
    else if (!REQUESTER_TYPES.includes(String(input.requester_type)))
      errors.requester_type = ['is not included in the list'];
    else if (!data.users.some((u) => u.id === input.requester_id))
      errors.requester = ['must exist'];
    const profileId = typeof input.profile_id === 'string' ? input.profile_id : null;
    const profile = profileId ? this.ctx.profiles.get(profileId) : undefined;
    if (profileId && !profile) errors.profile = ['must exist'];
    if (workflow?.kind === 'update' && !profileId) errors.profile_id = ["can't be blank"];
    const attributes = this.input.attributes(input.attributes, errors) ?? {};
    if (Object.keys(errors).length > 0 || !workflow)
      throw validationFailed('WorkflowSession', errors);

    const stamp = nermTimestamp(this.ctx.now());
    const session: WorkflowSession = {
      id: randomUUID(),
      uid: newUid(),
      workflow_id: workflow.id,
      requester_id: String(input.requester_id),
      requester_type: String(input.requester_type),
      profile_id: profile?.id ?? null,
      profile_ids: Array.isArray(input.profile_ids) ? input.profile_ids.map(String) : [],
      status: 'new',
      attributes,
      created_at: stamp,
      updated_at: stamp,
    };
    if (parseBool(req.query.get('run')))
      this.run(session, workflow.kind, workflow.profile_type_id, profile);
    data.workflowSessions.push(session);
    return ok({ workflow_session: renderSession(session) });
  }

  /** Update workflows apply their attributes; create workflows make the profile. */
  private run(
    session: WorkflowSession,
    kind: 'create' | 'update',
    typeId: string,
    profile: Profile | undefined,
  ): void {
    const stamp = nermTimestamp(this.ctx.now());
    if (kind === 'update' && profile) {
      Object.assign(profile.attributes, session.attributes);
      profile.updated_at = stamp;
    } else if (kind === 'create') {
      const type = this.ctx.types.get(typeId);
      const created: Profile = {
        id: randomUUID(),
        uid: newUid(),
        name: this.input.derivedName(type, session.attributes) ?? 'New Profile',
        profile_type_id: typeId,
        status: 'Active',
        id_proofing_status: 'pending',
        archived: false,
        created_at: stamp,
        updated_at: stamp,
        attributes: { ...session.attributes },
      };
      this.profiles.add(created);
      session.profile_id = created.id;
    }
    session.status = 'completed';
    session.updated_at = stamp;
  }
}
