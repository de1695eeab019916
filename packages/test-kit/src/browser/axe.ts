import 'axe-core/axe.min.js';

declare global {
  interface Window {
    axe: {
      run(
        context: Element,
        options: Record<string, unknown>,
      ): Promise<{ violations: { id: string; help: string; nodes: { html: string }[] }[] }>;
    };
  }
}

/** axe-core violations of WCAG 2.x A/AA (2.2 included), as `id: html` lines. */
export async function runAxe(el: Element): Promise<string[]> {
  const result = await window.axe.run(el, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    resultTypes: ['violations'],
  });
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.html}`));
}
