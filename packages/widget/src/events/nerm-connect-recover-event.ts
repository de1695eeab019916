export interface NermConnectRecoverDetail {
  /** Why a new link is needed. */
  reason: 'link_token_invalid';
}

/**
 * The user pressed "Start again" on the expired screen: the host should fetch a new link
 * token and set `linkToken`. Call `preventDefault()` to say you will; otherwise the element
 * tells the user to reload the page.
 */
export class NermConnectRecoverEvent extends CustomEvent<NermConnectRecoverDetail> {
  static readonly eventName = 'nerm-connect-recover' as const;

  constructor(detail: NermConnectRecoverDetail) {
    super(NermConnectRecoverEvent.eventName, {
      detail,
      bubbles: true,
      composed: true,
      cancelable: true,
    });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'nerm-connect-recover': NermConnectRecoverEvent;
  }
}
