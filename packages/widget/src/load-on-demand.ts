import { html, nothing } from 'lit';
import { format } from './i18n/strings.ts';
import type * as OnDemandModule from './on-demand.ts';
import type { Kit } from './on-demand.ts';

export type OnDemand = typeof OnDemandModule;

/** What on-demand.ts borrows from the main file (it imports nothing itself). */
export const kit: Kit = { html, nothing, format };

let loading: Promise<OnDemand | undefined> | undefined;
let loaded: OnDemand | undefined;

/** The chunk, if it has loaded (for any element of the page). */
export function onDemand(): OnDemand | undefined {
  return loaded;
}

/**
 * The on-demand chunk (docs/decisions/0022-one-file-and-lazy-chunks.md), loaded
 * once; a failed load resolves to `undefined` and is tried again next time.
 */
export function loadOnDemand(): Promise<OnDemand | undefined> {
  loading ??= import('./on-demand.ts').then(
    (m) => (loaded = m),
    () => (loading = undefined),
  );
  return loading;
}
