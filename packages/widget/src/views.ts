import { html, nothing, svg, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { format, type NermConnectStrings } from './i18n/strings.ts';

/** Template pieces of `<nerm-connect>` that need no element state. */

/** SailPoint's help for both sign-in methods (Managing API Settings, NERM admin help). */
export const HELP_URL = 'https://documentation.sailpoint.com/ne-admin/help/setup/api.html';

const eye = svg`<path d="M12 5C6.5 5 2.7 9.4 1.5 12c1.2 2.6 5 7 10.5 7s9.3-4.4 10.5-7C21.3 9.4 17.5 5 12 5Zm0 11.5a4.5 4.5 0 1 1 0-9 4.5 4.5 0 0 1 0 9Zm0-2.2a2.3 2.3 0 1 0 0-4.6 2.3 2.3 0 0 0 0 4.6Z"/>`;
const lock = svg`<path d="M7 10V7a5 5 0 0 1 10 0v3h2v11H5V10h2Zm2 0h6V7a3 3 0 0 0-6 0v3Z"/>`;

export function icon(path: TemplateResult, cls: string): TemplateResult {
  return html`<svg class=${cls} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    ${path}
  </svg>`;
}

/** The default brand mark: a sail on SailPoint blue. Hosts may slot their own. */
export function brandMark(t: NermConnectStrings): TemplateResult {
  return html`<svg class="mark" viewBox="0 0 32 32" role="img" aria-label=${t.brand}>
    <rect width="32" height="32" rx="7" fill="#0033a1" />
    <path d="M17 6v17h8L17 6Zm-2 4L8 23h7V10Z" fill="#fff" />
  </svg>`;
}

export function accessList(t: NermConnectStrings, app: string, write: boolean): TemplateResult {
  return html`<div class="access" part="access">
    <p>${format(t.accessTitle, { app })}</p>
    <ul>
      <li>${t.accessRead}</li>
      ${write ? html`<li>${t.accessWrite}</li>` : nothing}
    </ul>
  </div>`;
}

export function encryptedLine(t: NermConnectStrings, app: string): TemplateResult {
  return html`<p class="encrypted" part="encrypted">
    ${icon(lock, 'lock')}${format(t.encrypted, { app })}
  </p>`;
}

/** Fills every field of the chosen method from the host's `sandbox`. */
export function sandboxButton(
  t: NermConnectStrings,
  busy: boolean,
  onClick: () => void,
): TemplateResult {
  return html`<button
    class="link"
    part="button sandbox"
    type="button"
    ?disabled=${busy}
    @click=${onClick}
  >
    ${t.sandboxFill}
  </button>`;
}

/** A failure that belongs to no single field, with its note (reason, reference). */
export function formError(failure: { message: string; note?: unknown }): TemplateResult {
  return html`<p class="form-error" part="form-error" id="form-error">
    ${failure.message}${failure.note ?? nothing}
  </p>`;
}

/** Connect (a spinner while it runs) and Cancel. */
export function actions(
  t: NermConnectStrings,
  a: { busy: boolean; held: boolean; describedBy: string | undefined; onSecondary: () => void },
): TemplateResult {
  return html`<div class="actions" part="actions">
    <button
      class="primary"
      part="button submit"
      type="submit"
      ?disabled=${a.busy || a.held}
      aria-describedby=${ifDefined(a.describedBy)}
    >
      ${a.busy ? html`<span class="spinner" aria-hidden="true"></span>${t.submitting}` : t.submit}
    </button>
    <button class="secondary" part="button secondary" type="button" @click=${a.onSecondary}>
      ${t.cancel}
    </button>
  </div>`;
}

/** The reveal toggle's eye, struck through while the secret is shown. */
export function eyeIcon(revealed: boolean): TemplateResult {
  return icon(
    revealed ? svg`${eye}<path d="M3 2 22 21" stroke="currentColor" stroke-width="2"/>` : eye,
    'eye',
  );
}
