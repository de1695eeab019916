import type { LazyKey, NermConnectStrings } from './strings.ts';

/**
 * English error texts, loaded with the first connect attempt rather than with the page:
 * they are the longest texts and most people never see one.
 */
export const more: Pick<NermConnectStrings, LazyKey | 'errors'> = {
  tenantUrlProblem: 'Enter a tenant URL like acme.nonemployee.com.',
  tenantUrlCredentials: 'Remove the user name or password from the URL.',
  tenantUrlScheme: 'The URL must start with https://.',
  credentialChars:
    'Character {position} cannot be part of a key (often a copy-paste artefact). Copy it again from its source.',
  tokenUrlInvalid: 'Enter a full https:// URL.',
  tokenUrlUnreachable:
    'We could not reach the token URL. Enter the one your Identity Security Cloud tenant uses.',
  rateLimited: 'Too many attempts. Try again in {seconds} s.',
  notSetUp:
    'This page is not set up to connect NERM yet. Its developer will find why in the browser console.',
  expiredBody:
    'Connection links work once and expire after 30 minutes. Nothing you typed was saved.',
  recoverUnhandled: 'Reload this page to get a new link.',
  successTitle: 'Connected to {host}',
  successBody: '{app} can now reach your NERM tenant.',
  expiredTitle: 'This link has expired',
  recover: 'Start again',
  recovering: 'Getting a new link…',
  reference: 'Reference: {requestId}',
  errors: {
    invalid_request: 'Some fields are not valid. Check them and try again.',
    tenant_url_invalid: 'That does not look like a NERM tenant URL.',
    tenant_host_not_allowed: 'This address is not a NERM tenant we can connect to.',
    tenant_unreachable: 'We could not reach this address.',
    not_a_nerm_tenant: 'This address answered, but not like NERM.',
    invalid_credentials: 'NERM did not accept these credentials. Check them and try again.',
    insufficient_permissions: 'These credentials work, but do not belong to a NERM Admin.',
    rate_limited: 'Too many attempts. Try again shortly.',
    link_token_invalid: 'This link has expired.',
    payload_too_large: 'What you entered is too long.',
    forbidden: 'This page may not connect NERM tenants.',
    upstream_error: 'NERM had a problem. Try again in a moment.',
    internal: 'Something went wrong on our side. Try again in a moment.',
  },
};
