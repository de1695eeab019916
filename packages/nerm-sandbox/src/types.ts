import type { DateFormat } from './dates.ts';

/** NERM objects as the v1 spec (sailpoint-oss/api-specs, nerm/schemas/GET) shapes them. */

export type ProfileStatus = 'Active' | 'Inactive' | 'On Leave' | 'Terminated';
export const PROFILE_STATUSES: readonly ProfileStatus[] = [
  'Active',
  'Inactive',
  'On Leave',
  'Terminated',
];

export type ProfileTypeCategory =
  'employee' | 'non-employee' | 'organization' | 'assignment' | 'other';

export interface Profile {
  id: string;
  uid: string;
  name: string;
  profile_type_id: string;
  status: ProfileStatus;
  id_proofing_status: 'pending' | 'pass' | 'fail';
  /** Archived profiles are hidden from offset lists and single reads, shown in keyset mode. */
  archived: boolean;
  created_at: string;
  updated_at: string;
  attributes: Record<string, string>;
}

export interface ProfileType {
  id: string;
  uid: string;
  name: string;
  category: ProfileTypeCategory;
  bypass_dup_protection: boolean;
  archived: boolean;
  permitted_role_ids: string[];
  isc_synced: boolean;
  profile_type_dup_attributes: {
    id: string;
    uid: string;
    profile_type_id: string;
    ne_attribute_id: string;
  }[];
  profile_type_namings: {
    id: string;
    uid: string;
    profile_type_id: string;
    ne_attribute_id: string;
    order: number;
  }[];
}

export interface NeAttribute {
  id: string;
  uid: string;
  label: string;
  description: string;
  data_type: string;
  type: string;
  /** Every attribute has one; it matters for `date` attributes (six formats). */
  date_format: DateFormat | null;
  archived: boolean;
  created_at: string;
  updated_at: string;
}

export interface Role {
  id: string;
  uid: string;
  name: string;
  groups: string[];
  /** Writable and filterable, but not part of the GET schema. */
  type: 'NeprofileRole' | 'NeaccessRole';
}

export interface RoleProfile {
  id: string;
  uid: string;
  role_id: string;
  profile_id: string;
}

export interface ConsoleUser {
  id: string;
  uid: string;
  name: string;
  email: string;
  type: 'NeprofileUser' | 'NeaccessUser';
  title: string | null;
  status: 'Active' | 'Pending' | 'Disabled';
  login: string;
  last_login: string | null;
  cookies_accepted_at: string | null;
  preferred_language: string | null;
  locale: string | null;
  group_strings: string | null;
  sailpoint_identity_id: string | null;
}

export interface UserRole {
  id: string;
  uid: string;
  user_id: string;
  role_id: string;
}

export interface Workflow {
  id: string;
  uid: string;
  name: string;
  kind: 'create' | 'update';
  profile_type_id: string;
}

export interface WorkflowSession {
  id: string;
  uid: string;
  workflow_id: string;
  requester_id: string;
  requester_type: string;
  profile_id: string | null;
  profile_ids: string[];
  status: string;
  attributes: Record<string, string>;
  created_at: string;
  updated_at: string;
}

/** One NERM tenant's data, mutable by the write endpoints. */
export interface TenantData {
  profileTypes: ProfileType[];
  neAttributes: NeAttribute[];
  profiles: Profile[];
  roles: Role[];
  roleProfiles: RoleProfile[];
  users: ConsoleUser[];
  userRoles: UserRole[];
  workflows: Workflow[];
  workflowSessions: WorkflowSession[];
}
