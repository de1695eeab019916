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

/**
 * A list that streams: `for await (const user of client.users.list())` walks every
 * page, holding one page at a time; `.pages()` yields the pages themselves.
 */
export class Paginator<T, P extends Page<T> = Page<T>> implements AsyncIterable<T> {
  constructor(private readonly start: (cursor: string | undefined) => Promise<PageInFlight<P>>) {}

  /**
   * Every page in order, one page ahead and never more: the next page is requested as
   * soon as its cursor is known (from the headers, when the broker links it), so reading
   * and checking one page overlaps with fetching the next.
   */
  async *pages(): AsyncGenerator<P, void, undefined> {
    let pending: Promise<PageInFlight<P>> | undefined = this.start(undefined);
    while (pending) {
      const inFlight: PageInFlight<P> = await pending;
      let next = inFlight.nextCursor ? this.start(inFlight.nextCursor) : undefined;
      // A prefetch the caller never reaches (an error, an early stop) must not go unhandled.
      next?.catch(() => undefined);
      const page = await inFlight.body;
      if (inFlight.nextCursor === undefined && page.next_cursor) {
        next = this.start(page.next_cursor);
        next.catch(() => undefined);
      }
      yield page;
      pending = next;
    }
  }

  private async fetchPage(cursor: string | undefined): Promise<P> {
    return (await this.start(cursor)).body;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.result;
  }

  /** The first page only (with its cursors), for UIs that page on demand. */
  firstPage(): Promise<P> {
    return this.fetchPage(undefined);
  }

  /** The page a cursor (`next_cursor` or `prev_cursor`) points at. */
  page(cursor: string | undefined): Promise<P> {
    return this.fetchPage(cursor);
  }

  /** Every item in memory; prefer iterating for large directories. */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}
