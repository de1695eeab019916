export type NermConnectStep =
  'open' | 'validate' | 'submit' | 'cancel' | 'success' | 'error' | 'exit';

export interface NermConnectStepDetail {
  name: NermConnectStep;
  /** For `validate`: whether the form passed. For `error`: the code. */
  valid?: boolean;
  code?: string;
}

/** `nerm-connect-event`: one per step, for analytics. Never carries what was typed. */
export class NermConnectStepEvent extends CustomEvent<NermConnectStepDetail> {
  static readonly eventName = 'nerm-connect-event' as const;

  constructor(detail: NermConnectStepDetail) {
    super(NermConnectStepEvent.eventName, { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'nerm-connect-event': NermConnectStepEvent;
  }
}
