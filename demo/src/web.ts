/**
 * Serves the page: through Vite's dev server (hot reload) while developing, or from the
 * static build (`pnpm --filter @nerm-connect/demo build`). docs/decisions/0060-demo-on-vite-and-express.md
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import express, { Router, type RequestHandler } from 'express';

export type WebMode = { kind: 'dev'; httpServer: Server } | { kind: 'static'; dir: string };

export interface Web {
  handler: RequestHandler;
  close(): Promise<void>;
}

/** The page's policy: its own scripts and styles only, the broker for the widget's calls. */
export function contentSecurityPolicy(brokerUrl: string, dev?: { nonce: string }): string {
  const directives = [
    "default-src 'self'",
    "script-src 'self'",
    dev ? `style-src 'self' 'nonce-${dev.nonce}'` : "style-src 'self'",
    "img-src 'self' data:",
    // Vite's client talks to its dev server over a WebSocket on this same origin.
    `connect-src 'self' ${brokerUrl}${dev ? ' ws: wss:' : ''}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ];
  return directives.join('; ');
}

function securityHeaders(csp: string): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  };
}

export async function createWeb(mode: WebMode, root: string, brokerUrl: string): Promise<Web> {
  if (mode.kind === 'static') {
    const router = Router();
    router.use(securityHeaders(contentSecurityPolicy(brokerUrl)));
    router.use(express.static(mode.dir, { index: 'index.html', maxAge: 0 }));
    return { handler: router, close: async () => {} };
  }
  // Vite stamps this nonce on the <style> tags its client injects, so the dev page keeps
  // a policy without 'unsafe-inline' (vite.dev/guide/features#content-security-policy-csp).
  const nonce = randomBytes(16).toString('base64');
  const { createServer } = await import('vite');
  const vite = await createServer({
    configFile: join(root, 'vite.config.ts'),
    root: join(root, 'web'),
    appType: 'spa',
    html: { cspNonce: nonce },
    logLevel: 'warn',
    server: { middlewareMode: true, hmr: { server: mode.httpServer } },
  });
  const router = Router();
  router.use(securityHeaders(contentSecurityPolicy(brokerUrl, { nonce })));
  router.use(vite.middlewares);
  return { handler: router, close: () => vite.close() };
}
