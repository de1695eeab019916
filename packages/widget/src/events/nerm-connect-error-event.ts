import type { ErrorCode } from '@nerm-connect/shared/lite';
import type { LocalErrorCode } from '../transport.ts';

export interface NermConnectErrorDetail {
  /**
   * A contract error code; or `network_error` (the broker could not be reached),
   * `broker_url_missing` or `link_token_missing` (the page did not set them).
   */
  code: ErrorCode | LocalErrorCode;
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
