import type { Builder } from './seed-builder.ts';
import { nermTimestamp } from './seed-builder.ts';
import { DAY_MS } from './dates.ts';
import { TITLES, personName } from './seed-names.ts';
import type { ConsoleUser, ProfileType, UserRole, Workflow, WorkflowSession } from './types.ts';

/** NERM console accounts and their roles. */
export function seedConsoleUsers(b: Builder): void {
  const { rng, data } = b;
  const admins: [string, string, string][] = [
    ['Avery Admin', 'avery.admin', 'NERM Administrator'],
    ['Jordan Sponsor', 'jordan.sponsor', 'Engineering Manager'],
    ['Renée Lévesque', 'renee.levesque', 'Procurement Lead'],
    ['Kenji Watanabe', 'kenji.watanabe', 'Security Analyst'],
    ['Dana Whitfield', 'dana.whitfield', 'HR Business Partner'],
  ];
  for (let i = 0; i < 24; i++) {
    const fixed = admins[i];
    const person = fixed ? null : personName(rng);
    const name = fixed ? fixed[0] : (person?.name ?? `User ${i}`);
    const login = fixed ? fixed[1] : `${person?.slug || 'user'}${i}`;
    const user: ConsoleUser = {
      id: rng.uuid(),
      uid: rng.hex(32),
      name,
      email: `${login}@corp.example`,
      type: i % 6 === 5 ? 'NeaccessUser' : 'NeprofileUser',
      title: fixed ? fixed[2] : rng.pick(TITLES),
      status:
        i === 0
          ? 'Active'
          : rng.pick(['Active', 'Active', 'Active', 'Pending', 'Disabled'] as const),
      login,
      last_login: rng.chance(0.8) ? nermTimestamp(b.today - rng.int(90) * DAY_MS) : null,
      cookies_accepted_at: null,
      preferred_language: rng.pick([null, 'en', 'fr-CA', 'de']),
      locale: rng.pick([null, 'en', 'fr-CA', 'de']),
      group_strings: rng.chance(0.5) ? 'Admin_group, Developer_group' : null,
      sailpoint_identity_id: rng.chance(0.6) ? rng.hex(32) : null,
    };
    data.users.push(user);
    const roles =
      user.type === 'NeaccessUser'
        ? data.roles.filter((r) => r.type === 'NeaccessRole')
        : [rng.pick(data.roles.filter((r) => r.type === 'NeprofileRole'))];
    for (const role of roles) {
      const link: UserRole = {
        id: rng.uuid(),
        uid: rng.hex(32),
        user_id: user.id,
        role_id: role.id,
      };
      data.userRoles.push(link);
    }
  }
}

/** Workflows of the person types, and recent sessions of the contractor update. */
export function seedWorkflows(
  b: Builder,
  contractor: ProfileType,
  vendorContact: ProfileType,
): void {
  const { rng, data } = b;
  const defs: [string, string, Workflow['kind'], ProfileType][] = [
    ['contractor_onboarding', 'Contractor Onboarding', 'create', contractor],
    ['contractor_update', 'Update Contractor', 'update', contractor],
    ['background_check_result', 'Record Background Check', 'update', contractor],
    ['contractor_offboarding', 'Offboard Contractor', 'update', contractor],
    ['vendor_contact_update', 'Update Vendor Contact', 'update', vendorContact],
  ];
  for (const [uid, name, kind, type] of defs) {
    data.workflows.push({ id: rng.uuid(), uid, name, kind, profile_type_id: type.id });
  }
  const requester = data.users[0];
  const update = data.workflows[1];
  if (!requester || !update) return;
  const targets = data.profiles.filter((p) => p.profile_type_id === contractor.id).slice(0, 12);
  targets.forEach((profile, i) => {
    const stamp = nermTimestamp(b.today - (i + 1) * DAY_MS);
    const session: WorkflowSession = {
      id: rng.uuid(),
      uid: rng.hex(32),
      workflow_id: update.id,
      requester_id: requester.id,
      requester_type: 'User',
      profile_id: profile.id,
      profile_ids: [],
      status: rng.pick(['completed', 'pending_approval', 'approved', 'rejected']),
      attributes: {},
      created_at: stamp,
      updated_at: stamp,
    };
    data.workflowSessions.push(session);
  });
}
