// "Send a link to your NERM admin": a hosted connect link (docs/hosted-link.md). The page
// learns of the connection from the backend's activity (live.ts), which hears it from
// the broker's integrated_account.connected webhook.
import { api } from './api.ts';
import { $ } from './dom.ts';
import { alertError, hideAlert, notify } from './notices.ts';

$('send-link').addEventListener('click', async () => {
  hideAlert();
  try {
    const link = await api<{ hosted_url: string; expires_at: string }>('/api/hosted-link', {
      method: 'POST',
      body: {},
    });
    $<HTMLInputElement>('hosted-url').value = link.hosted_url;
    $('hosted-expiry').textContent = `Works once, until ${new Date(link.expires_at).toLocaleString(
      'en-GB',
      { dateStyle: 'medium', timeStyle: 'short' },
    )}.`;
    $('hosted-panel').hidden = false;
    $('hosted-title').focus();
  } catch (error) {
    alertError('Could not create a link', error);
  }
});

$('hosted-copy').addEventListener('click', () => {
  const url = $<HTMLInputElement>('hosted-url');
  url.select();
  void navigator.clipboard?.writeText(url.value).then(
    () => notify('Link copied. Send it to your NERM admin.'),
    () => notify('Select the link and copy it.'),
  );
});
