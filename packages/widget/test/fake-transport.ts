import type * as wire from '../src/transport.ts';
import { localFailure } from '../src/transport.ts';

/** A broker failure as the HTTP transport would report it. */
export function failure(
  code: wire.BrokerFailure['code'],
  extra: Partial<wire.BrokerFailure> = {},
): wire.BrokerFailure {
  return { ...localFailure(code), ...extra };
}

export const connected = {
  ok: true as const,
  publicToken: 'pt_fake',
  integratedAccountId: 'acct_1',
  tenantHost: 'acme.nonemployee.com',
};

/**
 * Our own transport, faked: answers what the test queues, records every call, and can
 * hold an answer until the test releases it (to see the element while it waits).
 */
export class FakeTransport implements wire.NermConnectTransport {
  sessions: { brokerUrl: string; linkToken: string }[] = [];
  connects: {
    brokerUrl: string;
    linkToken: string;
    payload: wire.ConnectPayload;
    signal: AbortSignal;
  }[] = [];
  sessionAnswer: wire.SessionOutcome = { ok: true, tenantUrl: null };
  private _answers: wire.ConnectOutcome[] = [];
  private _held: (() => void) | undefined;
  private _hold = false;

  answer(...outcomes: wire.ConnectOutcome[]): this {
    this._answers.push(...outcomes);
    return this;
  }

  /** The next connect waits for release(). */
  hold(): this {
    this._hold = true;
    return this;
  }

  release(): void {
    this._hold = false;
    this._held?.();
  }

  async session(brokerUrl: string, linkToken: string): Promise<wire.SessionOutcome> {
    this.sessions.push({ brokerUrl, linkToken });
    return this.sessionAnswer;
  }

  async connect(
    brokerUrl: string,
    linkToken: string,
    payload: wire.ConnectPayload,
    signal: AbortSignal,
  ): Promise<wire.ConnectOutcome> {
    this.connects.push({ brokerUrl, linkToken, payload, signal });
    if (this._hold) {
      // Like fetch: an aborted request rejects at once.
      await new Promise<void>((resolve, reject) => {
        this._held = resolve;
        signal.addEventListener('abort', () => reject(signal.reason));
      });
    }
    return this._answers.shift() ?? connected;
  }
}
