export { createBroker, type Broker, type BrokerOverrides } from './broker.ts';
export { createApp, type AppDeps } from './app.ts';
export { loadConfig, ConfigError, type BrokerConfig } from './config.ts';
export { openStore } from './store/open-store.ts';
export { SqliteStore } from './store/sqlite-store.ts';
export { PostgresStore } from './store/postgres-store.ts';
export type { Store } from './store/store.ts';
export { HostAllowList, DEFAULT_ALLOWED_HOSTS } from './nerm/host-allow-list.ts';
export { createLogger } from './logger.ts';
