import type { Request, Response } from 'express';

/**
 * `Link: <…?next_cursor=…>; rel="next"` (RFC 8288) on list pages: the same query with the
 * next cursor. Clients (the SDK among them) can ask for the next page as soon as the
 * headers arrive, while this page's body is still being read.
 */
export function linkNext(req: Request, res: Response, nextCursor: string | null): void {
  if (!nextCursor) return;
  const params = new URL(req.originalUrl, 'http://broker.invalid').searchParams;
  params.set('next_cursor', nextCursor);
  res.setHeader('Link', `<${req.baseUrl}${req.path}?${params.toString()}>; rel="next"`);
}
