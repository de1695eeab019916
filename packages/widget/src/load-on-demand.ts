import { html, nothing } from 'lit';
import { NermConnectErrorEvent } from './events/nerm-connect-error-event.ts';
import { NermConnectRecoverEvent } from './events/nerm-connect-recover-event.ts';
import { NermConnectStepEvent } from './events/nerm-connect-step-event.ts';
import { NermConnectSuccessEvent } from './events/nerm-connect-success-event.ts';
import { labelOf } from './form.ts';
import { format } from './i18n/strings.ts';
import type * as OnDemandModule from './on-demand.ts';

export type OnDemand = typeof OnDemandModule;

/** What the main file lends the on-demand chunk (it imports nothing itself). */
export const kit = {
  html,
  nothing,
  format,
  labelOf,
  Step: NermConnectStepEvent,
  Success: NermConnectSuccessEvent,
  Error: NermConnectErrorEvent,
  Recover: NermConnectRecoverEvent,
};
export type Kit = typeof kit;

let loading: Promise<OnDemand | undefined> | undefined;

/**
 * The on-demand chunk (docs/decisions/0022-one-file-and-lazy-chunks.md), loaded
 * once; a failed load resolves to `undefined` and is tried again next time.
 */
export function loadOnDemand(): Promise<OnDemand | undefined> {
  loading ??= import('./on-demand.ts').catch(() => (loading = undefined));
  return loading;
}
