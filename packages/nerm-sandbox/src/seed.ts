import { Random } from './random.ts';
import type {
  ConsoleUser,
  Profile,
  ProfileStatus,
  ProfileType,
  ProfileTypeCategory,
  RoleProfile,
  TenantData,
  UserRole,
  Workflow,
  WorkflowSession,
} from './types.ts';

export interface SeedOptions {
  /** PRNG seed; the same seed and counts always give the same tenant. */
  seed?: number;
  /** Person profiles (employee and non-employee categories). At least 1,000 by default. */
  persons?: number;
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

/** Given names and family names that travel together, written in their own script. */
const NAME_POOLS: { given: string[]; family: string[]; familyFirst?: boolean; joiner?: string }[] =
  [
    {
      given: [
        'James',
        'Olivia',
        'Liam',
        'Emma',
        'Noah',
        'Ava',
        'Mary-Kate',
        'Ethan',
        'Grace',
        'Henry',
      ],
      family: [
        "O'Brien",
        "O'Connor",
        'Smith',
        'McAllister',
        'Johnson',
        'Walker',
        'Thompson',
        'Reed',
      ],
    },
    {
      given: ['José', 'María', 'Ángel', 'Lucía', 'Nicolás', 'Inés', 'Sofía', 'Joaquín'],
      family: ['García', 'Núñez', 'Peña', 'Muñoz', 'Fernández', 'Ibáñez'],
    },
    {
      given: ['Zoë', 'Chloé', 'Hélène', 'François', 'Loïc', 'Maëlle', 'Anaïs'],
      family: ['Lefèvre', 'Dubois', 'Bélanger', "D'Aubigné", 'Mercier'],
    },
    {
      given: ['Jürgen', 'Jörg', 'Anneliese', 'Björn', 'Käthe', 'Günter'],
      family: ['Müller', 'Schröder', 'Weiß', 'Köhler', 'Groß'],
    },
    {
      given: ['Siobhán', 'Seán', 'Aoife', 'Niamh', 'Pádraig'],
      family: ['Ó Briain', 'Mac Giolla Phádraig', 'Ní Dhónaill', "D'Arcy"],
    },
    { given: ['An', 'Minh', 'Thảo', 'Hương'], family: ['Nguyễn', 'Trần', 'Lê', 'Phạm'] },
    {
      given: ['Дмитрий', 'Анна', 'Ольга', 'Сергей'],
      family: ['Иванов', 'Смирнова', 'Кузнецов', 'Попова'],
    },
    {
      given: ['太郎', '花子', '健', '美咲'],
      family: ['田中', '佐藤', '鈴木', '高橋'],
      familyFirst: true,
      joiner: ' ',
    },
    {
      given: ['伟', '芳', '娜', '磊'],
      family: ['王', '李', '张', '刘'],
      familyFirst: true,
      joiner: '',
    },
    { given: ['محمد', 'فاطمة', 'يوسف', 'ليلى'], family: ['العلي', 'الحسن', 'منصور'] },
    { given: ['Σοφία', 'Γιώργος', 'Ελένη'], family: ['Παπαδοπούλου', 'Νικολάου', 'Γεωργίου'] },
    { given: ['प्रिया', 'राहुल', 'अनन्या'], family: ['शर्मा', 'वर्मा', 'पटेल'] },
  ];

const MONONYMS = ['Madonna', 'Teller', 'Zendaya', 'Björk', 'Pelé'];

const TITLES = [
  'Software Engineer',
  'Field Technician',
  'Security Consultant',
  'Project Manager',
  'Data Analyst',
  'Nurse Practitioner',
  'Warehouse Associate',
  'UX Researcher',
  'Help Desk Analyst',
  'Auditor',
];

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

/** Fixed clock for seeded data, so every run produces the same timestamps. */
const EPOCH = Date.UTC(2022, 0, 3, 14, 0, 0);
const SEED_NOW = Date.UTC(2025, 10, 1, 12, 0, 0);

/** NERM writes timestamps in the tenant's zone, e.g. `2023-11-21T14:23:54.256-05:00`. */
export function nermTimestamp(ms: number): string {
  const local = new Date(ms - 5 * 3600_000);
  return `${local.toISOString().slice(0, 23)}-05:00`;
}

/** NERM date attributes are `mm/dd/yyyy`. */
export function nermDate(ms: number): string {
  const d = new Date(ms);
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `${mm}/${dd}/${d.getUTCFullYear()}`;
}

function asciiSlug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '');
}

function pickStatus(rng: Random): ProfileStatus {
  let roll = rng.next();
  for (const [status, weight] of STATUS_WEIGHTS) {
    if ((roll -= weight) < 0) return status;
  }
  return 'Active';
}

class Builder {
  readonly data: TenantData = {
    profileTypes: [],
    neAttributes: [],
    profiles: [],
    roles: [],
    roleProfiles: [],
    users: [],
    userRoles: [],
    workflows: [],
    workflowSessions: [],
  };
  private clock = EPOCH;
  private readonly attributeIds = new Map<string, string>();

  constructor(readonly rng: Random) {}

  attribute(
    uid: string,
    label: string,
    dataType = 'text field',
    type = 'TextFieldAttribute',
  ): string {
    const existing = this.attributeIds.get(uid);
    if (existing) return existing;
    const id = this.rng.uuid();
    this.attributeIds.set(uid, id);
    const stamp = nermTimestamp(EPOCH - 86_400_000 * 30);
    this.data.neAttributes.push({
      id,
      uid,
      label,
      description: `${label} of the profile`,
      data_type: dataType,
      type,
      date_format: dataType === 'date' ? 'mm/dd/yyyy' : null,
      archived: false,
      created_at: stamp,
      updated_at: stamp,
    });
    return id;
  }

  profileType(
    uid: string,
    name: string,
    category: ProfileTypeCategory,
    naming: string[],
  ): ProfileType {
    const id = this.rng.uuid();
    const type: ProfileType = {
      id,
      uid,
      name,
      category,
      bypass_dup_protection: category !== 'non-employee',
      archived: false,
      permitted_role_ids: [],
      isc_synced: category === 'non-employee',
      profile_type_dup_attributes: [],
      profile_type_namings: naming.map((attr, order) => ({
        id: this.rng.uuid(),
        uid: `${uid}_naming_${order}`,
        profile_type_id: id,
        ne_attribute_id: this.attribute(attr, attr),
        order,
      })),
    };
    this.data.profileTypes.push(type);
    return type;
  }

  profile(
    type: ProfileType,
    name: string,
    status: ProfileStatus,
    attributes: Record<string, string>,
  ): Profile {
    this.clock += 3_600_000 + this.rng.int(20 * 3_600_000);
    const created = this.clock;
    const updated = Math.min(
      SEED_NOW,
      created + this.rng.int(700) * 86_400_000 + this.rng.int(86_400_000),
    );
    const profile: Profile = {
      id: this.rng.uuid(),
      uid: this.rng.hex(32),
      name,
      profile_type_id: type.id,
      status,
      id_proofing_status: this.rng.pick(['pending', 'pass', 'pass', 'pass', 'fail'] as const),
      archived: false,
      created_at: nermTimestamp(created),
      updated_at: nermTimestamp(updated),
      attributes,
    };
    this.data.profiles.push(profile);
    return profile;
  }
}

function personName(rng: Random): {
  name: string;
  given: string | null;
  family: string | null;
  slug: string;
} {
  if (rng.chance(0.01)) {
    const mono = rng.pick(MONONYMS);
    return { name: mono, given: mono, family: null, slug: asciiSlug(mono) || 'user' };
  }
  const pool = rng.pick(NAME_POOLS);
  const given = rng.pick(pool.given);
  const family = rng.pick(pool.family);
  const joiner = pool.joiner ?? ' ';
  const name = pool.familyFirst ? `${family}${joiner}${given}` : `${given} ${family}`;
  const slug = `${asciiSlug(given)}.${asciiSlug(family)}`.replace(/^\.|\.$/g, '');
  return { name, given, family, slug: slug === '.' || slug === '' ? '' : slug };
}

/** Builds one deterministic, realistic NERM tenant. */
export function seedTenant(options: SeedOptions = {}): TenantData {
  const rng = new Random(options.seed ?? 20_251_128);
  const persons = options.persons ?? 1_200;
  const b = new Builder(rng);

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
    b.attribute(uid, label, kind, kind === 'date' ? 'DateAttribute' : 'TextFieldAttribute');
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
      const start = Date.parse(person.created_at) + 7 * 86_400_000;
      b.profile(engagement, `${person.name} – ${rng.pick(TITLES)}`, person.status, {
        'Non-Employee Profile ID': person.id,
        assignment_name: rng.pick(TITLES),
        start_date: nermDate(start),
        end_date: nermDate(start + (90 + rng.int(400)) * 86_400_000),
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
  const startMs = EPOCH + rng.int(1_200) * 86_400_000;
  if (rng.chance(0.93)) attributes.start_date = nermDate(startMs);
  if (type.uid !== 'employee' && (status === 'Terminated' || rng.chance(0.7))) {
    attributes.end_date = nermDate(startMs + (60 + rng.int(700)) * 86_400_000);
  }
  if (type.uid !== 'employee') attributes.vendor = vendor.name;
  if (rng.chance(0.4)) attributes.phone = `+1-555-${String(1000 + rng.int(9000))}`;
  if (type.uid === 'contractor')
    attributes.background_check = rng.pick(['Pending', 'Passed', 'Passed', 'Failed']);
  return b.profile(type, person.name, status, attributes);
}

function botProfile(b: Builder, type: ProfileType, index: number): Profile {
  const { rng } = b;
  const app = rng.pick(['payroll-sync', 'badge-export', 'hr-feed', 'ticket-bot', 'okta-bridge']);
  return b.profile(type, `svc-${app}-${index}`, rng.chance(0.85) ? 'Active' : 'Inactive', {
    application: app,
    bot_owner: 'Avery Admin (avery.admin@corp.example)',
  });
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

function seedConsoleUsers(b: Builder): void {
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
      last_login: rng.chance(0.8) ? nermTimestamp(SEED_NOW - rng.int(90) * 86_400_000) : null,
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

function seedWorkflows(b: Builder, contractor: ProfileType, vendorContact: ProfileType): void {
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
    const stamp = nermTimestamp(SEED_NOW - (i + 1) * 86_400_000);
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
