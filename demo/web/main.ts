// Shiftboard's integrations page: vanilla DOM plus <nerm-connect>.
import '@nerm-connect/widget/define';
import type { Account } from '@nerm-connect/shared';
import type { NermConnect, NermConnectSandbox } from '@nerm-connect/widget';
import { api } from './api.ts';
import { showConnected, showDisconnected } from './connection.ts';
import './hosted-link.ts';
import './live.ts';
import { $, el } from './dom.ts';
import { alertError } from './notices.ts';

interface Config {
  brokerUrl: string;
  demoTenant: Required<NermConnectSandbox>;
}

const CREDENTIAL_LABELS: Record<keyof NermConnectSandbox, string> = {
  tenantUrl: 'NERM tenant URL',
  clientId: 'PAT client ID',
  clientSecret: 'PAT client secret',
  tokenUrl: 'Token URL (Advanced)',
  apiKey: 'Legacy API key',
};

function showDemoCredentials(values: Required<NermConnectSandbox>): void {
  $('demo-credentials').replaceChildren(
    ...(Object.entries(CREDENTIAL_LABELS) as [keyof NermConnectSandbox, string][]).flatMap(
      ([key, label]) => {
        const copy = el('button', { type: 'button', 'aria-label': `Copy ${label}` }, 'Copy');
        copy.addEventListener('click', () => void navigator.clipboard?.writeText(values[key]));
        return [el('dt', {}, label), el('dd', {}, el('code', {}, values[key]), copy)];
      },
    ),
  );
}

async function start(): Promise<void> {
  const config = await api<Config>('/api/config');
  const widget = $<NermConnect>('widget');
  widget.brokerUrl = config.brokerUrl;
  // The widget's "Use sandbox credentials" buttons fill the form from these.
  widget.sandbox = config.demoTenant;
  showDemoCredentials(config.demoTenant);
  const connection = await api<{ connected: boolean; account?: Account }>('/api/connection');
  if (connection.connected && connection.account) showConnected(connection.account);
  else showDisconnected();
}

void start().catch((error: unknown) => alertError('The Shiftboard server is not answering', error));
