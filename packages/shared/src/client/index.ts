export {
  createClient,
  type ClientCredentials,
  type ClientOptions,
  type NermConnectClient,
} from './client.ts';
export {
  createAdmin,
  type AdminOptions,
  type ListAccountsParams,
  type ListEventsParams,
  type NermConnectAdmin,
} from './admin.ts';
export { NermConnectError, type ClientErrorCode } from './errors.ts';
export {
  DEFAULT_RETRY_BUDGET_MS,
  DEFAULT_TIMEOUT_MS,
  type CallOptions,
  type RequestEvent,
  type ResponseEvent,
  type RetryOptions,
  type TransportOptions,
} from './http.ts';
// Every input type (AtLeastOne, CreateUserInput, UpdateUserInput, ListUsersParams,
// ListRolesParams, ReadOptions, WriteOptions).
export type * from './inputs.ts';
export { Paginator, type Page } from './paginator.ts';
export { checkProxyPath, type ProxyRequest, type ProxyResponse } from './proxy.ts';
export { requestIdOf } from './signals.ts';
export type { StartWorkflowInput, WorkflowSession } from '../schemas/workflow.ts';
