import { ApiError } from './api.ts';
import { $, el } from './dom.ts';

/** An outcome, announced politely (role=status). */
export function notify(text: string): void {
  hideAlert();
  $('notice').textContent = text;
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
