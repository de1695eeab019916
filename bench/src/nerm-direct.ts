/** Calls to the NERM sandbox made directly, the way a careful client would: the baselines. */

export async function json(url: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

/** Every page of a NERM list, 500 at a time, the way a careful direct client reads it. */
export async function directWalk(
  base: string,
  auth: string,
  resource: string,
): Promise<{ records: number; requests: number }> {
  let offset = 0;
  let records = 0;
  let requests = 0;
  for (;;) {
    const body = await json(`${base}/api/${resource}?limit=500&offset=${offset}&metadata=true`, {
      headers: { authorization: auth },
    });
    requests++;
    const items = body[resource] as unknown[];
    records += items.length;
    offset += items.length;
    if (items.length === 0 || offset >= body._metadata.total) return { records, requests };
  }
}

/** Every profile by keyset (`after_id`, id order), 500 a page: how a sync walks NERM. */
export async function keysetWalk(
  base: string,
  auth: string,
): Promise<{ records: number; requests: number }> {
  let after = '00000000-0000-0000-0000-000000000000';
  let records = 0;
  let requests = 0;
  for (;;) {
    const body = await json(`${base}/api/profiles?limit=500&after_id=${after}`, {
      headers: { authorization: auth },
    });
    requests++;
    const items = body.profiles as { id: string }[];
    records += items.length;
    if (items.length < 500) return { records, requests };
    after = items.at(-1)!.id;
  }
}
