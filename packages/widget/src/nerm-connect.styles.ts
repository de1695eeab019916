import { unsafeCSS } from 'lit';

/** Plain text, minified by the build like every `css` literal; Lit's own `css` tag (and its checks) stays out of the bundle. */
const css = String.raw;

/**
 * Tokens are custom properties (`--nerm-connect-*`); every node a page may restyle has
 * a `part`. Logical properties throughout, so `dir="rtl"` mirrors the layout. Colours
 * meet WCAG 2.2 AA in both themes; forced-colors mode hands over to system colours.
 * What only appears once on-demand.ts has loaded (field errors, the busy state, the
 * tenant preview, the outcome screens) is styled there (docs/decisions/0022).
 */
export const styles = unsafeCSS(css`
  :host {
    /* light-dark(): one palette for both themes; the theme only picks color-scheme. */
    --_bg: var(--nerm-connect-color-background, light-dark(#ffffff, #161b22));
    --_surface: var(--nerm-connect-color-surface, light-dark(#f6f8fa, #0d1117));
    --_text: var(--nerm-connect-color-text, light-dark(#1f2328, #e6edf3));
    --_muted: var(--nerm-connect-color-muted, light-dark(#57606a, #9ea7b3));
    --_border: var(--nerm-connect-color-border, light-dark(#8c959f, #6e7681));
    --_accent: var(--nerm-connect-color-accent, light-dark(#0b5cad, #4493f8));
    --_accent-text: var(--nerm-connect-color-accent-text, light-dark(#ffffff, #0d1117));
    --_danger: var(--nerm-connect-color-danger, light-dark(#b3261e, #ff7b72));
    --_success: var(--nerm-connect-color-success, light-dark(#1a7f37, #3fb950));
    --_radius: var(--nerm-connect-radius, 8px);
    --_space: var(--nerm-connect-spacing, 16px);
    /* Inner corners: fields, buttons, panels. */
    --_r: calc(var(--_radius) - 2px);

    color-scheme: light;
    display: block;
    box-sizing: border-box;
    max-inline-size: var(--nerm-connect-max-width, 32rem);
    color: var(--_text);
    background: var(--_bg);
    font-family: var(--nerm-connect-font-family, system-ui, sans-serif);
    font-size: var(--nerm-connect-font-size, 15px);
    line-height: 1.5;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: calc(var(--_space) * 1.25);
  }

  :host([theme='dark']) {
    color-scheme: dark;
  }

  :host([theme='auto']) {
    color-scheme: light dark;
  }

  :host([hidden]) {
    display: none;
  }

  /* Not "inherit": inside <details> the parent in the flat tree is the browser's own slot. */
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }

  header {
    display: flex;
    gap: 12px;
    align-items: flex-start;
  }

  .mark,
  ::slotted([slot='brand']) {
    flex: none;
    inline-size: 32px;
    block-size: 32px;
  }

  svg {
    flex: none;
    inline-size: 1.2em;
    block-size: 1.2em;
    fill: currentColor;
  }

  .access {
    margin-block-end: var(--_space);
    padding: 8px 12px;
    background: var(--_surface);
    border-radius: var(--_r);
  }

  ul {
    margin: 4px 0 0;
    padding-inline-start: 1.25em;
  }

  .encrypted {
    display: flex;
    gap: 6px;
  }

  a,
  button.link {
    color: var(--_accent);
  }

  button.link {
    justify-self: start;
    padding: 0;
    font: inherit;
    background: none;
    border: none;
    text-decoration: underline;
    cursor: pointer;
  }

  h2 {
    margin: 0 0 calc(var(--_space) / 4);
    font-size: 1.25em;
    line-height: 1.3;
  }

  p {
    margin: 0;
  }

  .intro,
  .help,
  .encrypted {
    color: var(--_muted);
  }

  .intro {
    margin-block-end: var(--_space);
  }

  form {
    display: grid;
    gap: var(--_space);
  }

  .field {
    display: grid;
    gap: 4px;
  }

  label,
  legend {
    padding: 0;
    font-weight: 600;
  }

  .help,
  .encrypted,
  small {
    font-size: 0.875em;
  }

  .field input {
    inline-size: 100%;
    min-block-size: 2.5rem;
    padding-block: 8px;
    padding-inline: 12px;
    font: inherit;
    color: var(--_text);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_r);
  }

  input:focus-visible,
  button:focus-visible,
  summary:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
    box-shadow: var(--nerm-connect-focus-ring, none);
  }

  .secret {
    display: flex;
    gap: 0;
  }

  .secret input {
    border-start-end-radius: 0;
    border-end-end-radius: 0;
  }

  /* Inside the field: outside, the reveal button beside it covered the ring's edge. */
  .secret input:focus-visible {
    outline-offset: -2px;
  }

  .reveal {
    flex: none;
    display: inline-grid;
    place-items: center;
    inline-size: 2.75rem;
    min-block-size: 2.5rem;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-inline-start: none;
    border-start-end-radius: var(--_r);
    border-end-end-radius: var(--_r);
    cursor: pointer;
  }

  fieldset {
    margin: 0;
    padding: 0;
    border: none;
    display: grid;
    gap: 8px;
  }

  .choice {
    display: flex;
    gap: 10px;
    align-items: flex-start;
    padding: 10px 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_r);
    cursor: pointer;
  }

  .choice:has(input:checked) {
    border-color: var(--_accent);
    box-shadow: inset 0 0 0 1px var(--_accent);
  }

  .choice input {
    margin-block-start: 0.3em;
    accent-color: var(--_accent);
  }

  .choice span {
    display: grid;
    font-weight: 600;
  }

  small {
    font-weight: 400;
    color: var(--_muted);
  }

  details summary {
    cursor: pointer;
    color: var(--_accent);
    inline-size: fit-content;
  }

  details[open] summary {
    margin-block-end: 8px;
  }

  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }

  button.primary,
  button.secondary {
    min-block-size: 2.5rem;
    padding-block: 8px;
    padding-inline: 18px;
    font: inherit;
    font-weight: 600;
    border-radius: var(--_r);
    cursor: pointer;
  }

  button.primary {
    display: inline-flex;
    align-items: center;
    gap: 8px;
    color: var(--_accent-text);
    background: var(--_accent);
    border: 1px solid var(--_accent);
  }

  button.secondary {
    color: var(--_text);
    background: transparent;
    border: 1px solid var(--_border);
  }

  .form-error {
    padding: 10px 12px;
    color: var(--_danger);
    border: 1px solid var(--_danger);
    border-radius: var(--_r);
    font-weight: 600;
  }

  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }

  @media (forced-colors: active) {
    :host {
      border-color: CanvasText;
    }
    .field input,
    .choice,
    .reveal,
    button.secondary {
      border-color: ButtonText;
    }
    button.primary {
      color: ButtonText;
      background: ButtonFace;
      border-color: ButtonText;
    }
    .form-error {
      color: CanvasText;
      border-color: Highlight;
    }
    input:focus-visible,
    button:focus-visible,
    summary:focus-visible {
      outline-color: Highlight;
    }
  }
`);
