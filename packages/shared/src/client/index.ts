export {
  createClient,
  type ClientOptions,
  type ListUsersParams,
  type NermConnectClient,
  type ProxyRequest,
  type ProxyResponse,
  type WriteOptions,
} from './client.ts';
export { createAdmin, type AdminOptions, type NermConnectAdmin } from './admin.ts';
export { NermConnectError, type ClientErrorCode } from './errors.ts';
export { Paginator, type Page } from './paginator.ts';
