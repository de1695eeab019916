// "Live from NERM": the activity feed (the backend's verified webhooks), the people whose
// access NERM ended, and "Simulate in NERM", where the presenter acts as the customer's
// NERM admin. The page polls its own backend; the backend hears from the broker.
import type { Account, User } from '@nerm-connect/shared';
import { api } from './api.ts';
import { showConnected } from './connection.ts';
import { loadSummary, reloadPage } from './directory.ts';
import { $, el } from './dom.ts';
import { alertError, notify } from './notices.ts';
import { state } from './state.ts';

interface Entry {
  seq: number;
  kind: 'nerm_admin' | 'event' | 'refused';
  at: string;
  text: string;
  code: string;
  userId?: string;
  access?: 'revoked' | 'granted';
}
interface Activity {
  watching: 'off' | 'starting' | 'live';
  entries: Entry[];
  revoked: string[];
}

const POLL_MS = 1500;
const SHOWN = 6;
const HIRES = [
  ['Mae', 'Jemison'],
  ['Alan', 'Turing'],
  ['Hedy', 'Lamarr'],
  ['Chien-Shiung', 'Wu'],
  ['Ada', 'Lovelace'],
] as const;
let last = 0;
let hires = 0;
let watching: Activity['watching'] = 'off';

const WATCHING_TEXT = {
  off: ['Off', 'pill'],
  starting: ['Starting…', 'pill warn'],
  live: ['Live', 'pill good'],
} as const;

function badge(entry: Entry): HTMLElement {
  if (entry.kind === 'refused') return el('span', { class: 'tag bad' }, 'Refused: not signed');
  if (entry.kind === 'nerm_admin') return el('span', { class: 'tag' }, 'NERM admin');
  // A break allowed after the dot: "integrated_account.disconnected" wraps there on a phone.
  return el(
    'span',
    { class: 'tag good' },
    `Signed webhook ✓ ${entry.code.replace('.', '.\u200b')}`,
  );
}

function item(entry: Entry): HTMLElement {
  const time = new Date(entry.at).toLocaleTimeString('en-GB', { hour12: false });
  return el(
    'li',
    { class: `entry ${entry.kind}${entry.access ? ` ${entry.access}` : ''}` },
    el('time', { datetime: entry.at }, time),
    el('span', { class: 'what' }, entry.text),
    badge(entry),
  );
}

/** The people of the directory page on screen, for the Person picker. */
document.addEventListener('directory:page', (event) => {
  const users = (event as CustomEvent<User[]>).detail.filter((u) => u.status === 'active');
  const select = $<HTMLSelectElement>('sim-person');
  const chosen = select.value;
  select.replaceChildren(
    ...users.map((u) => el('option', { value: u.id }, `${u.name ?? u.id} · ${u.user_type ?? ''}`)),
  );
  if (users.some((u) => u.id === chosen)) select.value = chosen;
});

function showWatching(next: Activity['watching']): void {
  watching = next;
  const [text, cls] = WATCHING_TEXT[next];
  const pill = $('live-state');
  pill.textContent = text;
  pill.className = cls;
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-sim]'))
    b.disabled = next !== 'live';
}

async function poll(): Promise<void> {
  const activity = await api<Activity>(`/api/activity?after=${last}`);
  state.revoked = new Set(activity.revoked);
  showWatching(activity.watching);
  // Two polls may overlap (a simulation polls at once, beside the loop): an entry is
  // shown by whichever answer arrives first, never twice.
  const entries = activity.entries.filter((e) => e.seq > last);
  if (entries.length === 0) return;
  last = entries.at(-1)!.seq;
  const feed = $('feed');
  for (const entry of entries) feed.prepend(item(entry));
  while (feed.children.length > SHOWN) feed.lastElementChild!.remove();
  $('feed-empty').hidden = true;
  const events = entries.filter((e) => e.kind === 'event');
  // Connected while this page was not connecting (its own widget closed): the NERM admin
  // completed a link this page sent.
  const byLink = !state.account && $('connect-panel').hidden;
  if (events.some((e) => e.code === 'integrated_account.connected') && byLink) {
    const connection = await api<{ connected: boolean; account?: Account }>('/api/connection');
    if (connection.connected && connection.account) {
      showConnected(connection.account);
      notify(`Your NERM admin connected ${connection.account.tenant_host}.`);
    }
    return;
  }
  const people = events.filter((e) => e.code.startsWith('user.'));
  if (people.length > 0 && state.account) {
    // Said first: the "Changing … in NERM" notice must not outlive the answer on screen.
    const changed = people.filter((e) => e.access);
    if (changed.length > 0) notify(changed.at(-1)!.text);
    await Promise.all([reloadPage(), loadSummary()]);
    for (const e of people) {
      document
        .querySelector(`tr[data-user-id="${CSS.escape(e.userId ?? '')}"]`)
        ?.classList.add('changed');
    }
  }
}

async function loop(): Promise<void> {
  try {
    await poll();
  } catch {
    // The backend restarting: the next round tries again.
  }
  setTimeout(() => void loop(), POLL_MS);
}

async function simulate(action: string): Promise<void> {
  const select = $<HTMLSelectElement>('sim-person');
  const person = select.selectedOptions[0]?.textContent?.split(' · ')[0] ?? 'this person';
  const [first, lastName] = HIRES[hires++ % HIRES.length]!;
  const body =
    action === 'hire'
      ? { action, first_name: first, last_name: lastName }
      : { action, user_id: select.value };
  if (action !== 'hire' && !select.value) return;
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-sim]')) b.disabled = true;
  // Said first: what NERM then tells Shiftboard (poll) comes after, and stays.
  notify(
    action === 'hire'
      ? `Hiring ${first} ${lastName} in NERM…`
      : `Changing ${person} in NERM; Shiftboard hears of it within seconds…`,
  );
  try {
    await api('/api/simulate', { method: 'POST', body });
    await poll();
  } catch (error) {
    alertError('NERM did not take the change', error);
  } finally {
    showWatching(watching);
  }
}

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-sim]'))
  button.addEventListener('click', () => void simulate(button.dataset.sim!));

void loop();
