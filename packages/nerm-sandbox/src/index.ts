export {
  startSandbox,
  type Sandbox,
  type SandboxOptions,
  type SandboxCredentials,
} from './server.ts';
export { seedTenant, nermTimestamp, type SeedOptions } from './seed.ts';
export { TenantAdmin, TenantAdminError, type NewProfile } from './tenant-admin.ts';
export { Faults, type FaultPlan } from './faults.ts';
export type { Quirks } from './quirks.ts';
export { DATE_FORMATS, formatDate, parseDate, type DateFormat } from './dates.ts';
export { Stats } from './stats.ts';
export { DEFAULT_LIMIT, MAX_LIMIT } from './paging.ts';
export type * from './types.ts';
