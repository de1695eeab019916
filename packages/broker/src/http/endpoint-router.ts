import type { AuthKind, Endpoint, EndpointReply } from '@nerm-connect/shared';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { linkNext } from './link-header.ts';
import { parse } from './validate.ts';

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** A request after the endpoint's schemas parsed it: handlers see only typed input. */
export interface EndpointRequest<E extends Endpoint> {
  params: Parsed<E['params']>;
  query: Parsed<E['query']>;
  headers: Parsed<E['headers']>;
  body: Parsed<E['body']>;
  req: Request;
  res: Response;
}

/** A success body already serialised (a users page is encoded while built ahead). */
export class JsonText {
  constructor(
    readonly text: string | Buffer,
    readonly nextCursor: string | null = null,
  ) {}
}

/** A success body of another media type (the audit trail as CSV). */
export class RawBody {
  constructor(
    readonly type: string,
    readonly body: string,
    readonly nextCursor: string | null = null,
  ) {}
}

export type EndpointHandler<E extends Endpoint> = (
  input: EndpointRequest<E>,
) => Promise<EndpointReply<E> | JsonText | RawBody>;

/** Runs after a handler succeeded, before the answer is sent (the audit trail). */
export type AfterSuccess = (
  endpoint: Endpoint,
  input: EndpointRequest<Endpoint>,
  reply: unknown,
) => Promise<void>;

/** Registers one endpoint of the table: `route(ENDPOINTS.getUser, async ({ params }) => …)`. */
export type RouteFn = <E extends Endpoint>(
  endpoint: E,
  handler: EndpointHandler<E>,
  ...before: RequestHandler[]
) => void;

/** What runs before every endpoint of an auth kind: its guard, then its body parser. */
export type Guards = Record<AuthKind, RequestHandler[]>;

function nextCursorOf(reply: unknown): string | null {
  if (reply instanceof JsonText || reply instanceof RawBody) return reply.nextCursor;
  const cursor = (reply as { next_cursor?: unknown } | null)?.next_cursor;
  return typeof cursor === 'string' ? cursor : null;
}

/**
 * A router whose routes come from the endpoint table (docs/api.md): method and path from
 * the table, the auth kind's guards, then params, query, headers and body parsed with
 * the table's schemas before the handler runs, and the table's success status out.
 */
export function endpointRouter(
  guards: Guards,
  afterSuccess?: AfterSuccess,
): { router: Router; route: RouteFn } {
  const router = Router();
  const route: RouteFn = (endpoint, handler, ...before) => {
    const method = endpoint.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    router[method](endpoint.path, ...guards[endpoint.auth], ...before, async (req, res) => {
      const input = {
        params: endpoint.params ? parse(endpoint.params, req.params, 'path') : undefined,
        query: endpoint.query ? parse(endpoint.query, req.query, 'query') : undefined,
        headers: endpoint.headers ? parse(endpoint.headers, req.headers, 'headers') : undefined,
        body: endpoint.body
          ? parse(
              endpoint.body,
              endpoint.bodyOptional && req.body === undefined ? {} : req.body,
              'request body',
            )
          : undefined,
        req,
        res,
      } as EndpointRequest<typeof endpoint>;
      const reply = await handler(input);
      await afterSuccess?.(endpoint, input as EndpointRequest<Endpoint>, reply);
      if (endpoint.list) linkNext(req, res, nextCursorOf(reply));
      res.status(endpoint.status);
      if (endpoint.status === 204) res.end();
      else if (reply instanceof JsonText) res.type('application/json').send(reply.text);
      else if (reply instanceof RawBody) res.type(reply.type).send(reply.body);
      else res.json(reply);
    });
  };
  return { router, route };
}
