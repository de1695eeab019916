import type { ErrorCode } from '@nerm-connect/shared/lite';

export interface NermConnectErrorDetail {
  /** A contract error code, or `network_error` when the broker could not be reached. */
  code: ErrorCode | 'network_error';
  /** The text shown to the user (localised). */
  message: string;
  requestId?: string;
}

/** A connect attempt failed; the form shows the message where it can be fixed. */
export class NermConnectErrorEvent extends CustomEvent<NermConnectErrorDetail> {
  static readonly eventName = 'nerm-connect-error' as const;

  constructor(detail: NermConnectErrorDetail) {
    super(NermConnectErrorEvent.eventName, { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'nerm-connect-error': NermConnectErrorEvent;
  }
}
