import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { NermConnectRecoverEvent } from '../events/nerm-connect-recover-event.ts';

export interface RecoveryHost extends ReactiveControllerHost, HTMLElement {
  linkToken: string;
}

/**
 * The expired screen's life: a dead link shows it (focus on its heading); "Start again"
 * asks the host for a new link with a cancelable `nerm-connect-recover`; a new
 * `linkToken` returns to the form, focus on its first field.
 */
export class LinkRecoveryController implements ReactiveController {
  expired = false;
  /** `waiting`: the host took the event; `unhandled`: nobody did. */
  state: 'idle' | 'waiting' | 'unhandled' = 'idle';
  private _deadToken = '';
  private _focus: string | undefined;

  constructor(private readonly _host: RecoveryHost) {
    _host.addController(this);
  }

  expire(): void {
    if (!this.expired) this._focus = '.outcome h3';
    this.expired = true;
    this.state = 'idle';
    this._deadToken = this._host.linkToken;
    this._host.requestUpdate();
  }

  recover(): void {
    const handled = !this._host.dispatchEvent(
      new NermConnectRecoverEvent({ reason: 'link_token_invalid' }),
    );
    this.state = handled ? 'waiting' : 'unhandled';
    this._host.requestUpdate();
  }

  hostUpdate(): void {
    if (this.expired && this._host.linkToken && this._host.linkToken !== this._deadToken) {
      this.expired = false;
      this.state = 'idle';
      this._focus = 'input';
    }
  }

  hostUpdated(): void {
    if (!this._focus) return;
    const selector = this._focus;
    this._focus = undefined;
    this._host.shadowRoot?.querySelector<HTMLElement>(selector)?.focus();
  }
}
