/**
 * Drives a `<nerm-connect>` in the page the way a person does (types, picks, clicks) and
 * reads it the way a person does (labels, errors, text). Shared by the widget's own
 * browser tests and the end-to-end suite; typed structurally, so it needs no widget code.
 */

/** A Lit element with an open shadow root: what these helpers need of `<nerm-connect>`. */
export interface LitLike extends HTMLElement {
  readonly updateComplete: Promise<unknown>;
}

function root(el: LitLike): ShadowRoot {
  if (!el.shadowRoot) throw new Error(`<${el.localName}> has no open shadow root`);
  return el.shadowRoot;
}

/** Removes every element and fixture a test added to the page. */
export function cleanup(): void {
  for (const el of document.querySelectorAll('nerm-connect, [data-fixture]')) el.remove();
}

export function $(el: LitLike, selector: string): HTMLElement | null {
  return root(el).querySelector<HTMLElement>(selector);
}

export function input(el: LitLike, id: string): HTMLInputElement {
  const found = root(el).getElementById(id) as HTMLInputElement | null;
  if (!found) throw new Error(`no field #${id}`);
  return found;
}

/** Types into a field the way a user does: focus, value, then an input event. */
export async function type(el: LitLike, id: string, value: string): Promise<void> {
  const field = input(el, id);
  field.focus();
  field.value = value;
  field.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await el.updateComplete;
}

export async function chooseAuth(el: LitLike, kind: 'pat' | 'api_key'): Promise<void> {
  const radio = root(el).querySelector<HTMLInputElement>(`input[type=radio][value="${kind}"]`);
  if (!radio) throw new Error(`no sign-in choice ${kind}`);
  radio.click();
  await el.updateComplete;
}

export function submitButton(el: LitLike): HTMLButtonElement {
  const button = root(el).querySelector<HTMLButtonElement>('button[type=submit]');
  if (!button) throw new Error('no submit button');
  return button;
}

/** What a person meets of a secret field's reveal toggle, and how the field shows. */
export interface RevealState {
  /** The toggle's accessible name. */
  name: string | null;
  pressed: string | null;
  /** The field's input type: `password` while masked. */
  type: string;
}

/** The toggle that reveals secret field `id` (the one whose aria-controls names it). */
function revealToggle(el: LitLike, id: string): HTMLButtonElement {
  const button = root(el).querySelector<HTMLButtonElement>(`button[aria-controls="${id}"]`);
  if (!button) throw new Error(`no reveal toggle controls #${id}`);
  return button;
}

function revealState(el: LitLike, id: string): RevealState {
  const toggle = revealToggle(el, id);
  return {
    name: toggle.getAttribute('aria-label'),
    pressed: toggle.getAttribute('aria-pressed'),
    type: input(el, id).type,
  };
}

/** Presses the reveal toggle of secret field `id`; what a person met before and after. */
export async function pressReveal(el: LitLike, id: string): Promise<[RevealState, RevealState]> {
  const before = revealState(el, id);
  revealToggle(el, id).click();
  await el.updateComplete;
  return [before, revealState(el, id)];
}

/** The visible text of a node, whitespace collapsed. */
export function text(node: Element | null | undefined): string {
  return node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

/** The field's error text (what its aria-describedby points at), or undefined. */
export function errorFor(el: LitLike, id: string): string | undefined {
  const error = root(el).getElementById(`${id}-error`);
  return error ? text(error) : undefined;
}

/** Records every event of `name` from `target`. */
export function record<E extends Event = CustomEvent>(target: EventTarget, name: string): E[] {
  const seen: E[] = [];
  target.addEventListener(name, (e) => seen.push(e as E));
  return seen;
}
