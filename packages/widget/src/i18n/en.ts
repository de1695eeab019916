import type { LazyKey, NermConnectStrings } from './strings.ts';

/**
 * English: built in, and the fallback for every missing key. Error texts are in
 * en-more.ts, loaded with the first connect attempt.
 */
export const en: Omit<NermConnectStrings, LazyKey | 'errors'> = {
  brand: 'SailPoint',
  title: 'Connect SailPoint NERM',
  intro: 'Connect your Non-Employee Risk Management tenant to {app}.',
  accessTitle: '{app} will be able to:',
  accessRead: 'Read your non-employees, their status, dates and roles',
  accessWrite: 'Update them, e.g. to offboard someone',
  encrypted: 'Your credential is encrypted and never shown to {app}.',
  appFallback: 'this app',
  tenantUrlLabel: 'NERM tenant URL',
  tenantUrlHelp: 'The address you sign in to NERM with, like acme.nonemployee.com.',
  tenantUrlPreview: 'Tenant: {host}',
  authLegend: 'How should we sign in?',
  authPat: 'Personal Access Token',
  authPatHint: 'Recommended; required for tenants since June 2025.',
  authApiKey: 'Legacy API key',
  authApiKeyHint: 'Created in NERM itself.',
  helpPat: 'How to create a Personal Access Token',
  helpApiKey: 'How to create an API key',
  sandboxFill: 'Use sandbox credentials',
  clientIdLabel: 'Client ID',
  clientIdHelp:
    'In Identity Security Cloud: Preferences → Personal Access Tokens. Use a NERM Admin.',
  clientSecretLabel: 'Client secret',
  clientSecretHelp: 'Shown once, when the token is created.',
  apiKeyLabel: 'API key',
  apiKeyHelp: 'In NERM: Admin → System → API → + API Key.',
  advanced: 'Advanced',
  tokenUrlLabel: 'Token URL',
  tokenUrlHelp: 'Only if your Identity Security Cloud tenant has another name.',
  show: 'Show secret',
  submit: 'Connect',
  submitting: 'Connecting…',
  cancel: 'Cancel',
  done: 'Done',
  required: 'Required',
  networkError: 'We could not reach the connection service. Check your network and try again.',
};
