export interface NermConnectExitDetail {
  /** `done` after success, `cancel` when the user gave up. */
  reason: 'done' | 'cancel';
}

/** The user is finished with the element. */
export class NermConnectExitEvent extends CustomEvent<NermConnectExitDetail> {
  static readonly eventName = 'nerm-connect-exit' as const;

  constructor(detail: NermConnectExitDetail) {
    super(NermConnectExitEvent.eventName, { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'nerm-connect-exit': NermConnectExitEvent;
  }
}
