/** One signal that aborts when any of the given ones does; `undefined`s are skipped. */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  const controller = new AbortController();
  const abort = (signal: AbortSignal) => () => controller.abort(signal.reason);
  for (const signal of present) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', abort(signal), { once: true, signal: controller.signal });
  }
  return controller.signal;
}

/** A request id the broker keeps (8–128 of `A-Za-z0-9._:-`), one per SDK call. */
export function newRequestId(): string {
  return `req_${globalThis.crypto.randomUUID().replace(/-/g, '')}`;
}

const REQUEST_IDS = new WeakMap<object, string>();

/** Remembers the request id a parsed answer came with (see `requestIdOf`). */
export function rememberRequestId<T>(value: T, requestId: string | undefined): T {
  if (requestId && typeof value === 'object' && value !== null) REQUEST_IDS.set(value, requestId);
  return value;
}

/**
 * The broker's request id of a successful answer (an object the SDK returned), for logs
 * and support: `requestIdOf(await nerm.users.get(id))`. Errors carry theirs as
 * `error.requestId`.
 */
export function requestIdOf(result: object): string | undefined {
  return REQUEST_IDS.get(result);
}
