import type { TemplateResult } from 'lit';
import type { NermConnectStrings } from './i18n/strings.ts';
import type { Kit } from './load-on-demand.ts';

// On demand (on-demand.ts): the screens after the form (success, an expired link), the
// expired screen's controller, and the styles of everything only this chunk shows.

export function successView(
  kit: Kit,
  t: NermConnectStrings,
  host: string,
  app: string,
  onDone: () => void,
): TemplateResult {
  const { html, format } = kit;
  return html`<div class="outcome success" part="outcome">
    <h3 tabindex="-1">${format(t.successTitle, { host })}</h3>
    <p>${format(t.successBody, { app })}</p>
    <button class="secondary" part="button secondary" type="button" @click=${onDone}>
      ${t.done}
    </button>
  </div>`;
}

export function expiredView(
  kit: Kit,
  t: NermConnectStrings,
  recovery: LinkRecovery,
): TemplateResult {
  const { html, nothing } = kit;
  const state = recovery.state;
  return html`<div class="outcome" part="outcome">
    <h3 tabindex="-1">${t.expiredTitle}</h3>
    <p>${t.expiredBody}</p>
    ${state === 'unhandled' ? html`<p class="help">${t.recoverUnhandled}</p>` : nothing}
    <button
      class="primary"
      part="button recover"
      type="button"
      ?disabled=${state === 'waiting'}
      @click=${() => recovery.recover()}
    >
      ${
        state === 'waiting'
          ? html`<span class="spinner" aria-hidden="true"></span>${t.recovering}`
          : t.recover
      }
    </button>
  </div>`;
}

export interface RecoveryHost extends HTMLElement {
  linkToken: string;
  requestUpdate(): void;
  addController(controller: { hostUpdate?(): void; hostUpdated?(): void }): void;
}

/**
 * The expired screen's life (a reactive controller, added when a link first dies): it
 * shows with focus on its heading; "Start again" asks the host for a new link with a
 * cancelable `nerm-connect-recover`; a new `linkToken` returns to the form, focus on its
 * first field. `ask` dispatches that event and says whether the host took it.
 */
export class LinkRecovery {
  expired = false;
  /** `waiting`: the host took the event; `unhandled`: nobody did. */
  state: 'idle' | 'waiting' | 'unhandled' = 'idle';
  private _deadToken = '';
  private _focus: string | undefined;

  constructor(
    private readonly _host: RecoveryHost,
    private readonly _ask: () => boolean,
  ) {
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
    this.state = this._ask() ? 'waiting' : 'unhandled';
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

// ---- styles of what only this chunk shows ---------------------------------------------

/** Plain text, minified like the element's own (the build minifies every `css` literal). */
const css = String.raw;

const STYLES = css`
  .preview,
  .error {
    font-size: 0.875em;
  }

  .preview {
    color: var(--_muted);
  }

  .error {
    color: var(--_danger);
    font-weight: 600;
  }

  input[aria-invalid='true'] {
    border-color: var(--_danger);
    border-width: 2px;
  }

  input:disabled {
    opacity: 0.7;
    cursor: not-allowed;
  }

  button.primary:disabled {
    cursor: progress;
    opacity: 0.85;
  }

  p small {
    display: block;
  }

  /* The broker's words and the reference under a field's error: as large as help text. */
  .error small {
    font-size: 1em;
  }

  .spinner {
    inline-size: 1em;
    block-size: 1em;
    border: 2px solid currentColor;
    border-inline-end-color: transparent;
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
  }

  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation-duration: 2.4s;
    }
  }

  .outcome {
    display: grid;
    gap: var(--_space);
    justify-items: start;
  }

  .outcome h3 {
    display: flex;
    gap: 6px;
    margin: 0;
    font-size: 1.1em;
  }

  .outcome.success h3 {
    color: var(--_success);
  }

  /* Focus lands on the heading so a screen reader reads it; it is not a control to ring. */
  .outcome h3:focus {
    outline: none;
  }

  @media (forced-colors: active) {
    .error,
    input[aria-invalid='true'] {
      color: CanvasText;
      border-color: Highlight;
    }
  }
`;

let sheet: CSSStyleSheet | undefined;

/** One constructable sheet for every element of the page (adopted next to the main one). */
export function styles(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLES);
  }
  return sheet;
}
