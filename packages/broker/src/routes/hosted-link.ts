import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ENDPOINTS, PATHS } from '@nerm-connect/shared';
import express, { type Router } from 'express';
import { BrokerError } from '../errors.ts';
import type { HostedAssets } from '../hosted-assets.ts';
import { RawBody, type RouteFn } from '../http/endpoint-router.ts';
import { hostedBase } from './link-tokens.ts';

export interface HostedPageOptions {
  appName: string | undefined;
  logoUrl: URL | undefined;
  publicUrl: string | undefined;
  assets: HostedAssets | { missing: string };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * The page's policy: scripts only by this response's nonce (and what they load, for the
 * widget's lazy chunks), styles and connections to this origin, images from here and the
 * logo's origin; never framed, no base, no forms posted anywhere.
 */
export function hostedPolicy(nonce: string, logoUrl: URL | undefined): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self'",
    `img-src 'self'${logoUrl ? ` ${logoUrl.origin}` : ''}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

function page(nonce: string, base: string, options: HostedPageOptions): string {
  const app = escape(options.appName ?? 'the app that sent you this link');
  const name = options.appName ? escape(options.appName) : '';
  const assets = `${base}${PATHS.hostedAssets}`;
  const logo = options.logoUrl
    ? `<img class="logo" src="${escape(options.logoUrl.href)}" alt="" width="40" height="40">`
    : '';
  const notice = (id: string, title: string, body: string, action = '') =>
    `<section class="notice" id="${id}" data-state hidden><h1 tabindex="-1">${title}</h1><p>${body}</p>${action}</section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light dark">
<title>Connect SailPoint NERM${name ? ` to ${name}` : ''}</title>
<link rel="icon" href="${assets}/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${assets}/connect-page.css">
<script type="module" nonce="${nonce}" src="${assets}/nerm-connect.js"></script>
<script type="module" nonce="${nonce}" src="${assets}/connect-page.js"></script>
</head>
<body>
<main data-broker-url="${escape(base)}" data-session-path="${PATHS.linkSession}">
<header class="app">${logo}${name ? `<span class="app-name">${name}</span>` : ''}</header>
<p class="checking" id="checking" data-state>Checking your link…</p>
<nerm-connect id="widget" data-state hidden theme="auto"${name ? ` app-name="${name}"` : ''}></nerm-connect>
${notice('done', 'You can close this page', `${app} can now reach your NERM tenant. Nothing else is needed from you.`)}
${notice('cancelled', 'You can close this tab', `Nothing was connected${name ? ` to ${name}` : ''}. This link still works until it expires.`, '<button type="button" class="again" id="again">Connect after all</button>')}
${notice('dead', 'This link has already been used or has expired', `Connection links work once and expire. Ask ${app} for a new link.`)}
${notice('incomplete', 'This link is incomplete', `Open the whole link you were sent (it ends with a long code after #), or ask ${app} for a new one.`)}
${notice('unavailable', 'We could not check this link', 'The connection service did not answer. Try again in a moment.')}
<noscript><p class="notice">This page needs JavaScript to connect your tenant.</p></noscript>
</main>
</body>
</html>
`;
}

/** `GET /connect`: the hosted connect page (docs/hosted-link.md). */
export function hostedLinkRoutes(route: RouteFn, options: HostedPageOptions): void {
  route(ENDPOINTS.getHostedLink, async ({ req, res }) => {
    if ('missing' in options.assets)
      throw new BrokerError('internal', 'The hosted connect page is not available');
    const nonce = randomBytes(18).toString('base64');
    res.setHeader('Content-Security-Policy', hostedPolicy(nonce, options.logoUrl));
    const base = hostedBase(req, options.publicUrl);
    return new RawBody('text/html; charset=utf-8', page(nonce, base, options));
  });
}

/** `/connect/assets/*`: the widget's one-file build and the page's script and style, nothing else. */
export function hostedAssetsRouter(assets: HostedAssets | { missing: string }): Router {
  const router = express.Router();
  if ('missing' in assets) return router;
  const file = (path: string) => (_req: express.Request, res: express.Response) =>
    res.sendFile(path, { dotfiles: 'deny' });
  router.get('/nerm-connect.js', file(join(assets.widgetDir, 'nerm-connect.js')));
  router.get('/connect-page.js', file(join(assets.pageDir, 'connect-page.js')));
  router.get('/connect-page.css', file(join(assets.pageDir, 'connect-page.css')));
  router.get('/favicon.svg', file(join(assets.pageDir, 'favicon.svg')));
  router.use(
    '/chunks',
    express.static(join(assets.widgetDir, 'chunks'), { index: false, dotfiles: 'deny' }),
  );
  return router;
}
