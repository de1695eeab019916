import type { DateFormat } from './dates.ts';
import { Random } from './random.ts';
import { Builder } from './seed-builder.ts';
import { seedConsoleUsers, seedWorkflows } from './seed-console.ts';
import { TITLES, personName } from './seed-names.ts';

import type { Profile, ProfileStatus, ProfileType, RoleProfile, TenantData } from './types.ts';

export { nermTimestamp } from './seed-builder.ts';

export interface SeedOptions {
  /** PRNG seed; the same seed and counts always give the same tenant. */
  seed?: number;
  /** Person profiles (employee and non-employee categories). At least 1,000 by default. */
  persons?: number;
  /**
   * The day dates are relative to (milliseconds; default now): active contracts end after
   * it, terminated ones before it, timestamps fall in the four years up to it.
   */
  today?: number;
}

/**
 * How each profile type names its attributes. Real tenants choose their own attribute
 * uids, so the types deliberately disagree: that is what the broker's fallbacks and
 * per-account field mapping exist for.
 */
interface PersonScheme {
  first: string | null;
  last: string | null;
  email: string | null;
  title: string | null;
}

const CONTRACTOR: PersonScheme = {
  first: 'first_name',
  last: 'last_name',
  email: 'email',
  title: 'job_title',
};
const VENDOR_CONTACT: PersonScheme = {
  first: 'given_name',
  last: 'surname',
  email: 'work_email',
  title: 'title',
};
const EMPLOYEE: PersonScheme = {
  first: 'firstname',
  last: 'lastname',
  email: 'email_address',
  title: 'job_title',
};

const VENDORS = [
  ['Acme Staffing', 'acme-staffing.example'],
  ['Globex Consulting', 'globex.example'],
  ['Initech Services', 'initech.example'],
  ['Umbrella Logistics', 'umbrella-logistics.example'],
  ['Stark Field Services', 'stark-fs.example'],
  ['Wayne Security Partners', 'wayne-security.example'],
  ['Soylent Temps', 'soylent.example'],
  ['Tyrell Contract Research', 'tyrell.example'],
] as const;

const ROLE_DEFS: [uid: string, name: string, groups: string[]][] = [
  ['sponsors_role', 'Sponsors', ['nerm_sponsors']],
  ['vendor_managers', 'Vendor Managers', ['nerm_vendor_mgmt', 'procurement']],
  ['badge_access_hq', 'Badge Access – HQ', ['physical_access_hq']],
  ['vpn_access', 'VPN Access', ['vpn_users']],
  ['finance_approvers', 'Finance Approvers', ['finance_approvals']],
  ['security_reviewers', 'Security Reviewers', ['sec_review', 'risk_committee']],
  ['help_desk', 'Help Desk', []],
  ['service_accounts', 'Service Accounts', ['svc_accounts']],
];

const STATUS_WEIGHTS: [ProfileStatus, number][] = [
  ['Active', 0.7],
  ['Inactive', 0.1],
  ['On Leave', 0.08],
  ['Terminated', 0.12],
];

function pickStatus(rng: Random): ProfileStatus {
  let roll = rng.next();
  for (const [status, weight] of STATUS_WEIGHTS) {
    if ((roll -= weight) < 0) return status;
  }
  return 'Active';
}

/** Builds one deterministic, realistic NERM tenant. */
export function seedTenant(options: SeedOptions = {}): TenantData {
  const rng = new Random(options.seed ?? 20_251_128);
  const persons = options.persons ?? 1_200;
  const b = new Builder(rng, options.today ?? Date.now(), persons * 1.15 + 20);

  // Date attributes each have their own format, as a tenant's admins chose them.
  const dateFormats: Record<string, DateFormat> = {
    start_date: 'dd/mm/yyyy',
    end_date: 'dd/mm/yyyy',
    activation_date: 'yyyy/mm/dd',
    decommission_date: 'yyyy/mm/dd',
    background_check_date: 'mm-dd-yyyy',
  };
  for (const [uid, label, kind] of [
    ['first_name', 'First Name', 'text field'],
    ['last_name', 'Last Name', 'text field'],
    ['email', 'Email', 'text field'],
    ['personal_email', 'Personal Email', 'text field'],
    ['job_title', 'Job Title', 'text field'],
    ['title', 'Title', 'text field'],
    ['given_name', 'Given Name', 'text field'],
    ['surname', 'Surname', 'text field'],
    ['work_email', 'Work Email', 'text field'],
    ['firstname', 'Firstname', 'text field'],
    ['lastname', 'Lastname', 'text field'],
    ['email_address', 'Email Address', 'text field'],
    ['start_date', 'Start Date', 'date'],
    ['end_date', 'End Date', 'date'],
    ['activation_date', 'Activation Date', 'date'],
    ['decommission_date', 'Decommission Date', 'date'],
    ['background_check_date', 'Background Check Date', 'date'],
    ['phone', 'Phone', 'text field'],
    ['vendor', 'Vendor', 'profile select'],
    ['vendor_name', 'Vendor Name', 'text field'],
    ['vendor_domain', 'Vendor Domain', 'text field'],
    ['risk_tier', 'Risk Tier', 'drop-down'],
    ['application', 'Application', 'text field'],
    ['bot_owner', 'Bot Owner', 'owner select'],
    ['background_check', 'Background Check', 'drop-down'],
    ['assignment_name', 'Assignment Name', 'text field'],
    ['Non-Employee Profile ID', 'Non-Employee Profile ID', 'text field'],
    ['location_code', 'Location Code', 'text field'],
  ] as const) {
    const date = kind === 'date';
    b.attribute(uid, label, kind, date ? 'DateAttribute' : 'TextFieldAttribute', dateFormats[uid]);
  }

  const contractor = b.profileType('contractor', 'Contractor', 'non-employee', [
    'first_name',
    'last_name',
  ]);
  const vendorContact = b.profileType('vendor_contact', 'Vendor Contact', 'non-employee', [
    'given_name',
    'surname',
  ]);
  const bot = b.profileType('bot', 'Bot', 'non-employee', ['application']);
  const employee = b.profileType('employee', 'Employee', 'employee', ['firstname', 'lastname']);
  const vendorOrg = b.profileType('vendor', 'Vendor', 'organization', ['vendor_name']);
  const engagement = b.profileType('engagement', 'Engagement', 'assignment', ['assignment_name']);
  const location = b.profileType('location', 'Location', 'other', ['location_code']);

  for (const [uid, name, groups] of ROLE_DEFS) {
    b.data.roles.push({ id: rng.uuid(), uid, name, groups, type: 'NeprofileRole' });
  }
  b.data.roles.push({
    id: rng.uuid(),
    uid: 'portal_requesters',
    name: 'Portal Requesters',
    groups: [],
    type: 'NeaccessRole',
  });
  contractor.permitted_role_ids = b.data.roles.slice(0, 6).map((r) => r.id);

  const vendorProfiles = VENDORS.map(([name, domain]) =>
    b.profile(vendorOrg, name, 'Active', {
      vendor_name: name,
      vendor_domain: domain,
      risk_tier: rng.pick(['Low', 'Medium', 'High']),
    }),
  );
  for (const code of ['HQ-NYC', 'DC-DAL', 'LAB-BER']) {
    b.profile(location, code, 'Active', { location_code: code });
  }

  const personRecords: Profile[] = [];
  for (let i = 0; i < persons; i++) {
    const roll = rng.next();
    const type =
      roll < 0.58 ? contractor : roll < 0.78 ? vendorContact : roll < 0.83 ? bot : employee;
    const person = type === bot ? botProfile(b, bot, i) : humanProfile(b, type, i, vendorProfiles);
    personRecords.push(person);
    // Organizations and assignments are interleaved with people, as in a live tenant.
    if (type !== employee && type !== bot && rng.chance(0.12)) {
      const [start, end] = contractDays(rng, person.status);
      b.profile(engagement, `${person.name} – ${rng.pick(TITLES)}`, person.status, {
        'Non-Employee Profile ID': person.id,
        assignment_name: rng.pick(TITLES),
        start_date: b.date('start_date', start),
        end_date: b.date('end_date', end ?? start + 90 + rng.int(400)),
      });
    }
    if (i % 150 === 149) {
      const [name, domain] = rng.pick(VENDORS);
      b.profile(vendorOrg, `${name} (${rng.pick(['EMEA', 'APAC', 'LATAM'])})`, 'Active', {
        vendor_name: name,
        vendor_domain: domain,
        risk_tier: 'Medium',
      });
    }
  }

  assignRoles(b, personRecords, bot);
  seedConsoleUsers(b);
  seedWorkflows(b, contractor, vendorContact);
  // A few people were archived: live NERM hides them except in keyset mode.
  for (const person of personRecords) if (rng.chance(0.02)) person.archived = true;
  return b.data;
}

/**
 * Start and end of a contract in days from today, as the status implies: active people end
 * in the future (some within two weeks), terminated ones in the past.
 */
function contractDays(rng: Random, status: ProfileStatus): [number, number | undefined] {
  if (status === 'Terminated') {
    const end = -(1 + rng.int(600));
    return [end - 60 - rng.int(700), end];
  }
  if (status === 'Active') {
    const end = rng.chance(0.08) ? 1 + rng.int(14) : 15 + rng.int(500);
    return [-(1 + rng.int(1_000)), end];
  }
  const end = rng.chance(0.5) ? 15 + rng.int(300) : -(1 + rng.int(300));
  return [Math.min(end, 0) - 30 - rng.int(1_000), end];
}

function humanProfile(b: Builder, type: ProfileType, index: number, vendors: Profile[]): Profile {
  const { rng } = b;
  const scheme =
    type.uid === 'contractor'
      ? CONTRACTOR
      : type.uid === 'vendor_contact'
        ? VENDOR_CONTACT
        : EMPLOYEE;
  const person = personName(rng);
  const vendor = rng.pick(vendors);
  const domain =
    type.uid === 'employee'
      ? 'corp.example'
      : (vendor.attributes.vendor_domain ?? 'vendor.example');
  const local = person.slug || `user${index}`;
  const attributes: Record<string, string> = {};
  // Some tenants never filled the name attributes; the broker must fall back to `name`.
  if (!rng.chance(0.05)) {
    if (scheme.first && person.given) attributes[scheme.first] = person.given;
    if (scheme.last && person.family) attributes[scheme.last] = person.family;
  }
  const emailRoll = rng.next();
  if (emailRoll < 0.08) {
    // No email on record at all.
  } else if (emailRoll < 0.14) {
    attributes.personal_email = `${local}${index}@mail.example`;
  } else {
    if (scheme.email) attributes[scheme.email] = `${local}${index}@${domain}`;
    if (rng.chance(0.25)) attributes.personal_email = `${local}.${index}@mail.example`;
  }
  if (scheme.title && rng.chance(0.9)) attributes[scheme.title] = rng.pick(TITLES);
  const status = pickStatus(rng);
  const [start, end] = contractDays(rng, status);
  if (rng.chance(0.93)) attributes.start_date = b.date('start_date', start);
  if (
    type.uid !== 'employee' &&
    end !== undefined &&
    (status === 'Terminated' || rng.chance(0.7))
  ) {
    attributes.end_date = b.date('end_date', end);
  }
  if (type.uid !== 'employee') attributes.vendor = vendor.name;
  if (rng.chance(0.4)) attributes.phone = `+1-555-${String(1000 + rng.int(9000))}`;
  if (type.uid === 'contractor') {
    const check = rng.pick(['Pending', 'Passed', 'Passed', 'Failed']);
    attributes.background_check = check;
    if (check !== 'Pending')
      attributes.background_check_date = b.date('background_check_date', start - rng.int(30));
  }
  return b.profile(type, person.name, status, attributes);
}

/** Bots keep their own dates (`activation_date`, `decommission_date`, `yyyy/mm/dd`). */
function botProfile(b: Builder, type: ProfileType, index: number): Profile {
  const { rng } = b;
  const app = rng.pick(['payroll-sync', 'badge-export', 'hr-feed', 'ticket-bot', 'okta-bridge']);
  const active = rng.chance(0.85);
  const activated = -(30 + rng.int(1_200));
  const attributes: Record<string, string> = {
    application: app,
    bot_owner: 'Avery Admin (avery.admin@corp.example)',
    activation_date: b.date('activation_date', activated),
  };
  if (!active || rng.chance(0.3)) {
    const end = active ? 1 + rng.int(365) : activated + rng.int(-activated);
    attributes.decommission_date = b.date('decommission_date', end);
  }
  return b.profile(type, `svc-${app}-${index}`, active ? 'Active' : 'Inactive', attributes);
}

function assignRoles(b: Builder, persons: Profile[], bot: ProfileType): void {
  const { rng, data } = b;
  const personRoles = data.roles.filter(
    (r) => r.type === 'NeprofileRole' && r.uid !== 'service_accounts',
  );
  const serviceRole = data.roles.find((r) => r.uid === 'service_accounts');
  for (const person of persons) {
    const picks = new Set<string>();
    if (person.profile_type_id === bot.id && serviceRole) picks.add(serviceRole.id);
    else {
      const count = rng.pick([0, 1, 1, 1, 2, 2, 3]);
      for (let i = 0; i < count; i++) picks.add(rng.pick(personRoles).id);
    }
    for (const roleId of picks) {
      const link: RoleProfile = {
        id: rng.uuid(),
        uid: rng.hex(32),
        role_id: roleId,
        profile_id: person.id,
      };
      data.roleProfiles.push(link);
    }
  }
}
