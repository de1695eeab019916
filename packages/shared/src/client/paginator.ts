import { anySignal } from './signals.ts';

/** The least a page carries: its items and the cursor to the next one. */
export interface Page<T> {
  result: T[];
  next_cursor: string | null;
}

/**
 * A page on its way. `nextCursor` is known as soon as the answer's headers are in when
 * the broker sends a `Link: <…>; rel="next"` header (null: no next page), and undefined
 * when only the body will tell.
 */
export interface PageInFlight<P> {
  nextCursor: string | null | undefined;
  body: Promise<P>;
}

/** Starts fetching the page at `cursor`; `signal` cancels it. */
export type PageStarter<P> = (
  cursor: string | undefined,
  signal: AbortSignal | undefined,
) => Promise<PageInFlight<P>>;

/**
 * A list that streams: `for await (const user of client.users.list())` walks every
 * page, holding one page at a time; `.pages()` yields the pages themselves. A `limit`
 * is the most a page holds, not a promise: pages may be shorter, and only the end of
 * the iteration (`next_cursor: null`) ends the list.
 */
export class Paginator<T, P extends Page<T> = Page<T>> implements AsyncIterable<T> {
  constructor(
    private readonly start: PageStarter<P>,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * Every page in order, one page ahead and never more: the next page is requested as
   * soon as its cursor is known (from the headers, when the broker links it), so reading
   * and checking one page overlaps with fetching the next. Stopping early (a `break`, an
   * error) aborts the page fetched ahead.
   */
  async *pages(): AsyncGenerator<P, void, undefined> {
    const walk = new AbortController();
    const signal = anySignal(this.signal, walk.signal);
    const start = (cursor: string | undefined) => {
      const started = this.start(cursor, signal);
      // A prefetch the caller never reaches (an error, an early stop) must not go unhandled.
      started.catch(() => undefined);
      return started;
    };
    try {
      let pending: Promise<PageInFlight<P>> | undefined = start(undefined);
      while (pending) {
        const inFlight: PageInFlight<P> = await pending;
        let next = inFlight.nextCursor ? start(inFlight.nextCursor) : undefined;
        const page = await inFlight.body;
        if (inFlight.nextCursor === undefined && page.next_cursor) next = start(page.next_cursor);
        yield page;
        pending = next;
      }
    } finally {
      walk.abort(new Error('the iteration stopped'));
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.result;
  }

  /** The first page only (with its cursors), for UIs that page on demand. */
  firstPage(): Promise<P> {
    return this.page(undefined);
  }

  /** The page a cursor (`next_cursor` or `prev_cursor`) points at. */
  async page(cursor: string | undefined): Promise<P> {
    return (await this.start(cursor, this.signal)).body;
  }

  /** Every item in memory; prefer iterating for large directories. */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}
