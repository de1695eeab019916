// The workforce as Shiftboard reads it through the broker: counts, a filtered and paged
// table (one card per person on a phone), and offboarding with confirmation.
import type { ListEnvelope, User } from '@nerm-connect/shared';
import { api } from './api.ts';
import { confirmAction } from './confirm.ts';
import { $, el, hidden } from './dom.ts';
import { alertError, notify } from './notices.ts';
import { state } from './state.ts';

const DAY = 86_400_000;
let status = '';
let cursors: { next: string | null; prev: string | null } = { next: null, prev: null };
let currentCursor: string | undefined;
let pageNumber = 1;
/** The people on screen, as the page last heard of them. */
let shown: User[] = [];

/** Tells the rest of the page (the Person picker) who is on screen now. */
function announcePage(): void {
  document.dispatchEvent(new CustomEvent('directory:page', { detail: shown }));
}

export async function loadDirectory(): Promise<void> {
  await Promise.all([loadSummary(), loadPage(undefined)]);
}

export async function loadSummary(): Promise<void> {
  const stats = $('stats');
  // A recount (NERM changed someone) keeps the old figures on screen until it is done.
  if (stats.childElementCount === 0) stats.textContent = 'Counting your workforce…';
  try {
    const c = await api<Record<string, number>>('/api/directory/summary');
    stats.replaceChildren(
      ...(
        [
          ['People in NERM', c.total],
          ['Active', c.active],
          ['Inactive / on leave', c.inactive],
          ['Offboarded', c.deleted],
          ['Ending within 30 days', c.ending_soon],
        ] as const
      ).map(([label, value]) =>
        el(
          'div',
          { class: 'stat' },
          el('b', {}, (value ?? 0).toLocaleString('en')),
          el('span', {}, label),
        ),
      ),
    );
  } catch (error) {
    stats.textContent = '';
    alertError('Could not count the directory', error);
  }
}

function displayName(user: User): string {
  return (
    user.name ?? ([user.first_name, user.last_name].filter(Boolean).join(' ') || 'this person')
  );
}

function endCell(user: User): HTMLElement {
  if (!user.end_date) return el('td', { class: 'date', 'data-label': 'Ends' }, '—');
  const days = Math.ceil((Date.parse(user.end_date) - Date.now()) / DAY);
  const soon = user.status === 'active' && days >= 0 && days <= 30;
  return el(
    'td',
    { class: soon ? 'date soon' : 'date', 'data-label': 'Ends' },
    user.end_date,
    ...(soon ? [el('span', { class: 'sub' }, days === 0 ? 'today' : `in ${days} days`)] : []),
  );
}

function statusCell(user: User): HTMLElement {
  const badge = el(
    'span',
    { class: `badge ${user.status}` },
    user.status === 'deleted' ? 'offboarded' : user.status,
  );
  // NERM ended them and Shiftboard took their access away (live.ts, the webhook).
  const revoked = state.revoked.has(user.id)
    ? [el('span', { class: 'chip revoked' }, 'Access revoked')]
    : [];
  return el('td', { 'data-label': 'Status' }, badge, ...revoked);
}

function row(user: User): HTMLElement {
  const name = displayName(user);
  const email = user.emails.find((e) => e.is_primary)?.email ?? '—';
  // A narrow column breaks an address after its @, not inside a word.
  const at = email.indexOf('@') + 1;
  const emailParts = at > 0 ? [email.slice(0, at), el('wbr'), email.slice(at)] : [email];
  const action = el('td', { class: 'action' });
  const tr = el(
    'tr',
    { 'data-user-id': user.id },
    el(
      'td',
      { class: 'name' },
      el('strong', {}, name),
      el('span', { class: 'sub' }, user.title ?? ''),
    ),
    el('td', { 'data-label': 'Type' }, user.user_type ?? '—'),
    statusCell(user),
    el('td', { class: 'email', 'data-label': 'Email' }, ...emailParts),
    el(
      'td',
      { class: 'roles', 'data-label': 'Roles' },
      user.roles.map((r) => r.name).join(', ') || '—',
    ),
    endCell(user),
    action,
  );
  if (user.status !== 'deleted') {
    const button = el(
      'button',
      { type: 'button', class: 'row-action' },
      'Offboard',
      hidden(` ${name}`),
    );
    button.addEventListener(
      'click',
      () => void offboard(user, name, button as HTMLButtonElement, action),
    );
    action.append(button);
  }
  return tr;
}

async function offboard(
  user: User,
  name: string,
  button: HTMLButtonElement,
  cell: HTMLElement,
): Promise<void> {
  const host = state.account?.tenant_host ?? 'your NERM tenant';
  const confirmed = await confirmAction({
    title: `Offboard ${name}?`,
    body: `${name} will be set to Terminated in NERM (${host}) and lose access to Shiftboard.`,
    action: `Offboard ${name}`,
  });
  if (!confirmed) return button.focus();
  button.disabled = true;
  cell.querySelector('.row-error')?.remove();
  try {
    const updated = await api<User>(`/api/directory/${encodeURIComponent(user.id)}/offboard`, {
      method: 'POST',
    });
    const replacement = row(updated);
    replacement.classList.add('changed');
    cell.closest('tr')?.replaceWith(replacement);
    shown = shown.map((u) => (u.id === updated.id ? updated : u));
    announcePage();
    notify(`${name} was offboarded in NERM.`);
    void loadSummary();
  } catch (error) {
    button.disabled = false;
    cell.append(el('span', { class: 'row-error' }, 'Not offboarded'));
    alertError(`Could not offboard ${name}`, error);
    button.focus();
  }
}

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
    $('rows').dataset.filter = status || 'all';
    shown = page.result;
    announcePage();
    $('page-info').textContent = `Page ${pageNumber} · ${page.result_count} people`;
    $<HTMLButtonElement>('prev').disabled = !cursors.prev;
    $<HTMLButtonElement>('next').disabled = !cursors.next;
  } catch (error) {
    alertError('Could not load the directory', error);
  }
}

/** The page on screen again, e.g. after NERM changed someone. */
export function reloadPage(): Promise<void> {
  return loadPage(currentCursor);
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
