import { ApiError } from './api.ts';
import { $, el } from './dom.ts';

/**
 * An outcome, announced politely (role=status). It stays until the person's next action
 * (a click, or a key other than moving focus; on click, not on press, so the page does not move under the pointer mid-click), so "Connected to …" does not outlive the
 * filtering and paging after it; a screen reader has announced it by then.
 */
export function notify(text: string): void {
  hideAlert();
  $('notice').textContent = text;
  document.addEventListener('click', expireNotice, { capture: true });
  document.addEventListener('keydown', expireNotice, { capture: true });
}

const FOCUS_KEYS = new Set(['Tab', 'Shift', 'Control', 'Alt', 'Meta']);

function expireNotice(event: Event): void {
  if (event instanceof KeyboardEvent && FOCUS_KEYS.has(event.key)) return;
  document.removeEventListener('click', expireNotice, { capture: true });
  document.removeEventListener('keydown', expireNotice, { capture: true });
  $('notice').textContent = '';
}

/** A failure, announced at once (role=alert), with the reference support asks for. */
export function alertError(what: string, error: unknown): void {
  $('notice').textContent = '';
  const message = error instanceof Error ? error.message : String(error);
  const text = $('alert-text');
  text.replaceChildren(`${what}: ${message}`);
  if (error instanceof ApiError && error.requestId)
    text.append(el('span', { class: 'ref' }, `Reference: ${error.requestId} (${error.code})`));
  $('alert').hidden = false;
}

export function hideAlert(): void {
  $('alert').hidden = true;
}

$('alert-close').addEventListener('click', hideAlert);
