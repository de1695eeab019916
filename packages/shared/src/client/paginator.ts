/** The least a page carries: its items and the cursor to the next one. */
export interface Page<T> {
  result: T[];
  next_cursor: string | null;
}

/**
 * A list that streams: `for await (const user of client.users.list())` walks every
 * page, holding one page at a time; `.pages()` yields the pages themselves.
 */
export class Paginator<T, P extends Page<T> = Page<T>> implements AsyncIterable<T> {
  constructor(private readonly fetchPage: (cursor: string | undefined) => Promise<P>) {}

  /**
   * Every page in order. The next page is requested while the caller works on the
   * current one (one page ahead, never more), so a walk costs about one round trip per
   * page rather than round trip plus processing.
   */
  async *pages(): AsyncGenerator<P, void, undefined> {
    let pending: Promise<P> | undefined = this.fetchPage(undefined);
    while (pending) {
      const page: P = await pending;
      pending = page.next_cursor ? this.fetchPage(page.next_cursor) : undefined;
      // A prefetch the caller never reaches (it stopped early) must not surface as unhandled.
      pending?.catch(() => undefined);
      yield page;
    }
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
