import { NermConnect } from './nerm-connect.ts';

/** Registers `<nerm-connect>`; importing this twice (or next to another copy) is harmless. */
export function defineNermConnect(tagName = 'nerm-connect'): void {
  if (!customElements.get(tagName))
    customElements.define(
      tagName,
      tagName === 'nerm-connect' ? NermConnect : class extends NermConnect {},
    );
}

defineNermConnect();

export { NermConnect };
export * from './events/index.ts';
