export interface NermConnectSuccessDetail {
  /** One-time token: send it to your backend, which exchanges it (POST /tokens/exchange). */
  publicToken: string;
  integratedAccountId: string;
  tenantHost: string;
}

/** The credential was proven and stored. Fires exactly once per successful connect. */
export class NermConnectSuccessEvent extends CustomEvent<NermConnectSuccessDetail> {
  static readonly eventName = 'nerm-connect-success' as const;

  constructor(detail: NermConnectSuccessDetail) {
    super(NermConnectSuccessEvent.eventName, { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'nerm-connect-success': NermConnectSuccessEvent;
  }
}
