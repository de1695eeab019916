export const $ = <T extends HTMLElement = HTMLElement>(id: string): T =>
  document.getElementById(id) as T;

/** `el('td', {class: 'x'}, 'text', child)`: attributes as given, children appended. */
export function el(
  tag: string,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElement {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

/** Text only a screen reader announces, e.g. the person a row's button acts on. */
export function hidden(text: string): HTMLElement {
  return el('span', { class: 'visually-hidden' }, text);
}
