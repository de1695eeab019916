import { DAY_MS, dayOf, formatDate, type DateFormat } from './dates.ts';
import type { Random } from './random.ts';
import type {
  Profile,
  ProfileStatus,
  ProfileType,
  ProfileTypeCategory,
  TenantData,
} from './types.ts';

/** Seeded history spans four years up to today. */
const HISTORY_DAYS = 4 * 365;

/** NERM writes timestamps in the tenant's zone, e.g. `2023-11-21T14:23:54.256-05:00`. */
export function nermTimestamp(ms: number): string {
  const local = new Date(ms - 5 * 3600_000);
  return `${local.toISOString().slice(0, 23)}-05:00`;
}

export class Builder {
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
  /** Noon of the day the data is relative to: dates fall before and after it. */
  readonly today: number;
  private readonly epoch: number;
  private readonly step: number;
  private clock: number;
  private readonly attributeIds = new Map<string, string>();
  private readonly formats = new Map<string, DateFormat>();

  constructor(
    readonly rng: Random,
    today: number,
    expectedProfiles: number,
  ) {
    this.today = dayOf(today) + DAY_MS / 2;
    this.epoch = this.today - HISTORY_DAYS * DAY_MS;
    // Profiles are created evenly over the history, the last a month before today.
    this.step = (HISTORY_DAYS - 30) * (DAY_MS / Math.max(1, expectedProfiles));
    this.clock = this.epoch;
  }

  /** `days` from today (negative: before), written as attribute `uid` expects it. */
  date(uid: string, days: number): string {
    return formatDate(this.today + days * DAY_MS, this.formats.get(uid) ?? 'mm/dd/yyyy');
  }

  /**
   * Every attribute has a `date_format` (the admin console default is `mm/dd/yyyy`); it
   * governs the values of `date` attributes.
   */
  attribute(
    uid: string,
    label: string,
    dataType = 'text field',
    type = 'TextFieldAttribute',
    dateFormat: DateFormat = 'mm/dd/yyyy',
  ): string {
    const existing = this.attributeIds.get(uid);
    if (existing) return existing;
    const id = this.rng.uuid();
    this.attributeIds.set(uid, id);
    this.formats.set(uid, dateFormat);
    const stamp = nermTimestamp(this.epoch - DAY_MS * 30);
    this.data.neAttributes.push({
      id,
      uid,
      label,
      description: `${label} of the profile`,
      data_type: dataType,
      type,
      date_format: dateFormat,
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
    this.clock += this.step * (0.5 + this.rng.next());
    const created = Math.round(this.clock);
    const updated = Math.min(
      this.today - 3_600_000,
      created + this.rng.int(700) * DAY_MS + this.rng.int(DAY_MS),
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
