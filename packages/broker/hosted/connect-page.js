// @ts-check
// The hosted connect page's behaviour (docs/hosted-link.md). The page's policy admits
// scripts only by nonce, so there is no inline script: this file is all there is.
//
// The link token arrives in the URL fragment, which browsers never send to a server. The
// page checks it first, so a used or expired link says so plainly instead of showing a
// form that cannot work, then hands it to <nerm-connect>.

const main = /** @type {HTMLElement} */ (document.querySelector('main'));
const widget =
  /** @type {HTMLElement & { brokerUrl: string; linkToken: string; locale?: string }} */ (
    document.getElementById('widget')
  );
const brokerUrl = main.dataset.brokerUrl ?? location.origin;

/** Shows one state of the page (the widget or a notice) and moves focus to its heading. */
function show(/** @type {string} */ id) {
  for (const el of document.querySelectorAll('[data-state]'))
    /** @type {HTMLElement} */ (el).hidden = el.id !== id;
  document.getElementById(id)?.querySelector('h1')?.focus();
}

async function linkIsAlive(/** @type {string} */ token) {
  try {
    const res = await fetch(`${brokerUrl}${main.dataset.sessionPath}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      credentials: 'omit',
      cache: 'no-store',
    });
    return res.status === 200 ? 'alive' : res.status === 401 ? 'dead' : 'unavailable';
  } catch {
    return 'unavailable';
  }
}

async function start() {
  const token = location.hash.slice(1);
  if (!/^lt_[A-Za-z0-9_-]{20,}$/.test(token)) return show('incomplete');
  const state = await linkIsAlive(token);
  if (state !== 'alive') return show(state);
  // The visitor's language (the page around the widget is English).
  widget.locale = navigator.language;
  widget.brokerUrl = brokerUrl;
  widget.linkToken = token;
  show('widget');
}

widget.addEventListener('nerm-connect-error', (event) => {
  const { code } = /** @type {CustomEvent<{ code: string }>} */ (event).detail;
  // The link died while the page was open (expired, or used in another tab).
  if (code === 'link_token_invalid') show('dead');
});
widget.addEventListener('nerm-connect-exit', (event) => {
  const { reason } = /** @type {CustomEvent<{ reason: string }>} */ (event).detail;
  // Cancel on a page of its own has nothing to return to: the visit ends, plainly.
  show(reason === 'done' ? 'done' : 'cancelled');
});
// The link still works until it expires: back to the form, focus in it.
document.getElementById('again')?.addEventListener('click', () => {
  show('widget');
  widget.focus();
});

void start();
