// The settings page: vanilla DOM plus <nerm-connect>. Everything secret stays in the
// page's backend (/api/*); the browser only ever holds a 30-minute link token.
import '@nerm-connect/widget/define';
import type {
  NermConnect,
  NermConnectErrorEvent,
  NermConnectSuccessEvent,
} from '@nerm-connect/widget';
import type { Account, ListEnvelope, User } from '@nerm-connect/shared';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const widget = $<NermConnect>('widget');

interface Config {
  brokerUrl: string;
  demoTenant: Record<string, string>;
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
  const body = (await res.json()) as T & { error?: { message?: string } };
  if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body;
}

function message(text: string): void {
  $('message').textContent = text;
}

function el(
  tag: string,
  props: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElement {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

// ---- connection -----------------------------------------------------------------

async function openConnect(reauth = false): Promise<void> {
  const { link_token } = await api<{ link_token: string }>('/api/link-token', {
    method: 'POST',
    body: JSON.stringify({ reauth }),
  });
  widget.linkToken = link_token;
  $('not-connected').hidden = true;
  $('connected').hidden = true;
  $('connect-panel').hidden = false;
  widget.focus();
}

widget.addEventListener('nerm-connect-success', async (event: NermConnectSuccessEvent) => {
  message('Finishing the connection…');
  try {
    const { account } = await api<{ account: Account }>('/api/connection', {
      method: 'POST',
      body: JSON.stringify({ public_token: event.detail.publicToken }),
    });
    showConnected(account);
  } catch (error) {
    message(`Could not finish the connection: ${(error as Error).message}`);
  }
});

widget.addEventListener('nerm-connect-error', async (event: NermConnectErrorEvent) => {
  // An expired link: fetch a fresh one; the widget recovers without a reload.
  if (event.detail.code === 'link_token_invalid') await openConnect();
});

widget.addEventListener('nerm-connect-exit', () => {
  if ($('connected').hidden) showDisconnected();
});

function showDisconnected(): void {
  $('connect-panel').hidden = true;
  $('connected').hidden = true;
  $('not-connected').hidden = false;
  const pill = $('status-pill');
  pill.textContent = 'Not connected';
  pill.className = 'pill';
}

function showConnected(account: Account): void {
  $('connect-panel').hidden = true;
  $('not-connected').hidden = true;
  $('connected').hidden = false;
  const pill = $('status-pill');
  const healthy = account.status === 'active';
  pill.textContent = healthy ? 'Connected' : 'Needs attention';
  pill.className = `pill ${healthy ? 'good' : 'warn'}`;
  $('tenant-host').textContent = account.tenant_host;
  $('auth-type').textContent =
    account.auth_type === 'pat' ? 'Personal Access Token' : 'Legacy API key';
  $('hint').textContent = account.credential_hint ?? '····';
  message(
    healthy ? '' : 'NERM no longer accepts the stored credential. Update it to resume syncing.',
  );
  void loadSummary();
  void loadPage(undefined);
}

$('open-connect').addEventListener('click', () => void openConnect());
$('reauth').addEventListener('click', () => void openConnect(true));
$('disconnect').addEventListener('click', async () => {
  await api('/api/connection', { method: 'DELETE' });
  message('Disconnected. The stored NERM credential was destroyed.');
  showDisconnected();
});

// ---- directory ------------------------------------------------------------------

let status = '';
let cursors: { next: string | null; prev: string | null } = { next: null, prev: null };
let pageNumber = 1;

async function loadSummary(): Promise<void> {
  const stats = $('stats');
  stats.textContent = 'Counting your workforce…';
  try {
    const c = await api<Record<string, number>>('/api/directory/summary');
    stats.replaceChildren(
      ...[
        ['People in NERM', c.total],
        ['Active', c.active],
        ['Inactive / on leave', c.inactive],
        ['Offboarded', c.deleted],
        ['Ending within 30 days', c.ending_soon],
      ].map(([label, value]) =>
        el(
          'div',
          { class: 'stat' },
          el('b', {}, String(value ?? 0)),
          el('span', {}, String(label)),
        ),
      ),
    );
  } catch (error) {
    stats.textContent = `Could not read the directory: ${(error as Error).message}`;
  }
}

function row(user: User): HTMLElement {
  const email = user.emails.find((e) => e.is_primary)?.email ?? '—';
  const offboard = el('button', { type: 'button', class: 'offboard' }, 'Offboard');
  offboard.addEventListener('click', async () => {
    offboard.setAttribute('disabled', '');
    const updated = await api<User>(`/api/directory/${encodeURIComponent(user.id)}/offboard`, {
      method: 'POST',
    });
    message(`${updated.name ?? 'User'} was offboarded in NERM.`);
    row(updated);
    void loadPage(currentCursor);
    void loadSummary();
  });
  return el(
    'tr',
    {},
    el(
      'td',
      {},
      el('strong', {}, user.name ?? '—'),
      el('br'),
      el('small', { class: 'roles' }, user.title ?? ''),
    ),
    el('td', {}, user.user_type ?? '—'),
    el(
      'td',
      {},
      el(
        'span',
        { class: `badge ${user.status}` },
        user.status === 'deleted' ? 'offboarded' : user.status,
      ),
    ),
    el('td', {}, email),
    el('td', { class: 'roles' }, user.roles.map((r) => r.name).join(', ') || '—'),
    el('td', { class: 'date' }, user.end_date ?? '—'),
    el('td', {}, user.status === 'deleted' ? '' : offboard),
  );
}

let currentCursor: string | undefined;

async function loadPage(cursor: string | undefined, direction: 0 | 1 | -1 = 0): Promise<void> {
  const query = new URLSearchParams();
  if (status) query.set('status', status);
  if (cursor) query.set('cursor', cursor);
  try {
    const page = await api<ListEnvelope<User>>(`/api/directory?${query}`);
    currentCursor = cursor;
    pageNumber = cursor ? pageNumber + direction : 1;
    cursors = { next: page.next_cursor, prev: page.prev_cursor };
    $('rows').replaceChildren(...page.result.map(row));
    $('page-info').textContent = `Page ${pageNumber} · ${page.result_count} people`;
    ($('prev') as HTMLButtonElement).disabled = !cursors.prev;
    ($('next') as HTMLButtonElement).disabled = !cursors.next;
  } catch (error) {
    message(`Could not load the directory: ${(error as Error).message}`);
  }
}

$('next').addEventListener('click', () => cursors.next && void loadPage(cursors.next, 1));
$('prev').addEventListener('click', () => cursors.prev && void loadPage(cursors.prev, -1));
for (const button of document.querySelectorAll<HTMLButtonElement>('.filters button')) {
  button.addEventListener('click', () => {
    status = button.dataset.status ?? '';
    for (const b of document.querySelectorAll('.filters button'))
      b.setAttribute('aria-pressed', String(b === button));
    void loadPage(undefined);
  });
}

// ---- start ----------------------------------------------------------------------

async function start(): Promise<void> {
  const config = await api<Config>('/api/config');
  widget.brokerUrl = config.brokerUrl;
  const labels: Record<string, string> = {
    tenantUrl: 'NERM tenant URL',
    apiKey: 'Legacy API key',
    clientId: 'PAT client ID',
    clientSecret: 'PAT client secret',
    tokenUrl: 'Token URL (Advanced)',
  };
  $('demo-credentials').replaceChildren(
    ...Object.entries(labels).flatMap(([key, label]) => {
      const copy = el('button', { type: 'button', 'aria-label': `Copy ${label}` }, 'Copy');
      copy.addEventListener(
        'click',
        () => void navigator.clipboard?.writeText(config.demoTenant[key] ?? ''),
      );
      return [
        el('dt', {}, label),
        el('dd', {}, el('code', {}, config.demoTenant[key] ?? ''), copy),
      ];
    }),
  );
  const connection = await api<{ connected: boolean; account?: Account }>('/api/connection');
  if (connection.connected && connection.account && connection.account.status !== 'disconnected')
    showConnected(connection.account);
  else showDisconnected();
}

void start().catch((error: unknown) =>
  message(`The demo backend is not answering: ${(error as Error).message}`),
);
