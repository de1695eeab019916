// Connecting, updating the credential and disconnecting. Everything secret stays in the
// page's backend (/api/*); the browser only ever holds a 30-minute link token.
import type { Account } from '@nerm-connect/shared';
import type { NermConnect } from '@nerm-connect/widget';
import { api } from './api.ts';
import { confirmAction } from './confirm.ts';
import { $ } from './dom.ts';
import { loadDirectory } from './directory.ts';
import { alertError, hideAlert, notify } from './notices.ts';
import { state } from './state.ts';

const widget = $<NermConnect>('widget');
/** Whether the open form connects a tenant or updates the connected account's credential. */
let mode: 'connect' | 'reauth' = 'connect';

async function freshLinkToken(): Promise<string> {
  const { link_token } = await api<{ link_token: string }>('/api/link-token', {
    method: 'POST',
    body: { reauth: mode === 'reauth' },
  });
  return link_token;
}

export async function openConnect(next: 'connect' | 'reauth'): Promise<void> {
  mode = next;
  hideAlert();
  try {
    widget.linkToken = await freshLinkToken();
  } catch (error) {
    return alertError('Could not start the connection', error);
  }
  const host = state.account?.tenant_host;
  const title = $('connect-title');
  const reauth = mode === 'reauth' && host !== undefined;
  // Connecting, the widget's own heading says it all; updating, the page names the tenant.
  title.textContent = reauth
    ? `Update the NERM credential for ${host}`
    : 'Connect your NERM tenant';
  title.classList.toggle('visually-hidden', !reauth);
  $('not-connected').hidden = true;
  $('connected').hidden = true;
  $('connect-panel').hidden = false;
  if (reauth) title.focus();
  else $('widget').focus();
}

/** Back to what is true: the connected view when an account is connected, else the start. */
function closeConnect(): void {
  $('connect-panel').hidden = true;
  if (state.account) showConnected(state.account, { reload: false });
  else showDisconnected();
}

widget.addEventListener('nerm-connect-success', async (event) => {
  notify('Finishing the connection…');
  try {
    const { account } = await api<{ account: Account }>('/api/connection', {
      method: 'POST',
      body: { public_token: event.detail.publicToken },
    });
    const updated = mode === 'reauth';
    showConnected(account);
    notify(
      updated
        ? `The NERM credential for ${account.tenant_host} was updated.`
        : `Connected to ${account.tenant_host}.`,
    );
    $('status-pill').focus();
  } catch (error) {
    alertError('Could not finish the connection', error);
  }
});

widget.addEventListener('nerm-connect-error', async (event) => {
  // A link that expired while the form was open: hand the widget a fresh one (same
  // mode), and it carries on without losing what was typed.
  if (event.detail.code !== 'link_token_invalid') return;
  try {
    widget.linkToken = await freshLinkToken();
  } catch (error) {
    alertError('Could not renew the connection link', error);
  }
});

// "Start again" on the widget's expired screen: this page supplies the new link.
widget.addEventListener('nerm-connect-recover', async (event) => {
  event.preventDefault();
  try {
    widget.linkToken = await freshLinkToken();
  } catch (error) {
    alertError('Could not renew the connection link', error);
  }
});

widget.addEventListener('nerm-connect-exit', () => closeConnect());

export function showDisconnected(): void {
  state.account = undefined;
  $('hosted-panel').hidden = true;
  $('connect-panel').hidden = true;
  $('connected').hidden = true;
  $('not-connected').hidden = false;
  const pill = $('status-pill');
  pill.textContent = 'Not connected';
  pill.className = 'pill';
}

export function showConnected(account: Account, options = { reload: true }): void {
  state.account = account;
  $('connect-panel').hidden = true;
  $('not-connected').hidden = true;
  $('connected').hidden = false;
  const pill = $('status-pill');
  const healthy = account.status === 'active';
  pill.textContent = healthy ? 'Connected' : 'Needs attention';
  pill.className = `pill ${healthy ? 'good' : 'warn'}`;
  pill.tabIndex = -1;
  $('tenant-host').textContent = account.tenant_host;
  $('auth-type').textContent =
    account.auth_type === 'pat' ? 'Personal Access Token' : 'Legacy API key';
  $('hint').textContent = account.credential_hint ?? '····';
  if (!healthy)
    alertError(
      'NERM no longer accepts the stored credential',
      new Error('update it to resume syncing'),
    );
  if (options.reload) void loadDirectory();
}

$('open-connect').addEventListener('click', () => void openConnect('connect'));
$('reauth').addEventListener('click', () => void openConnect('reauth'));
$('disconnect').addEventListener('click', async () => {
  const host = state.account?.tenant_host ?? 'your NERM tenant';
  const confirmed = await confirmAction({
    title: 'Disconnect NERM?',
    body: `Shiftboard stops syncing people from ${host}, and the stored NERM credential is destroyed. You can connect again at any time.`,
    action: 'Disconnect NERM',
  });
  if (!confirmed) return;
  const button = $<HTMLButtonElement>('disconnect');
  button.disabled = true;
  try {
    await api('/api/connection', { method: 'DELETE' });
    showDisconnected();
    notify(`Disconnected from ${host}. The stored NERM credential was destroyed.`);
    $('open-connect').focus();
  } catch (error) {
    alertError('Could not disconnect', error);
  } finally {
    button.disabled = false;
  }
});
