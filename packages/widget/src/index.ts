/**
 * `@nerm-connect/widget`: the element class and its events, without registering
 * anything. Import `@nerm-connect/widget/define` to register `<nerm-connect>`.
 */
export { NermConnect, type AuthType, type NermConnectSandbox, type Theme } from './nerm-connect.ts';
export type {
  NermConnectTransport,
  ConnectPayload,
  ConnectOutcome,
  SessionOutcome,
  BrokerFailure,
} from './transport.ts';
export * from './events/index.ts';
export type { NermConnectStrings, StringOverrides } from './i18n/strings.ts';
export { SUPPORTED_LOCALES, type SupportedLocale } from './i18n/locales.ts';
