import type { CountingClient } from './connector';

// The next page of a run, fetched while the current one is written. The workflow still asks for one page at a time;
// the activity that writes page N starts the request for page N+1 and leaves it in the connector's cache, and the
// activity for page N+1 (on this worker, within a minute) takes it instead of sending the same request again. The
// limiter paces it like any other request. Any other activity (a retry, another worker, a changed window or
// settings) finds nothing under its key and fetches as before.

/** A page left longer than this is not used: fetched again. */
const AHEAD_TTL_MS = 60_000;

interface Ahead<P> {
  key: string;
  at: number;
  /** The client it was fetched with: its requests count for the page that uses it. */
  client: CountingClient;
  fetched: Promise<P>;
}

const slot = (stream: string) => `pageAhead:${stream}`;

/** Starts fetching a page ahead, under `key` (the request it stands for); replaces any page ahead of the stream. */
export function fetchAhead<P>(cache: Map<string, unknown>, stream: string, key: string, client: CountingClient, fetch: () => Promise<P>) {
  const fetched = fetch();
  fetched.catch(() => undefined); // its failure is the failure of the page that takes it
  cache.set(slot(stream), { key, at: Date.now(), client, fetched } satisfies Ahead<P>);
}

/** The page fetched ahead under `key` (settled or still under way), taken once; undefined when there is none to use. */
export function takeAhead<P>(cache: Map<string, unknown>, stream: string, key: string): Omit<Ahead<P>, 'key' | 'at'> | undefined {
  const ahead = cache.get(slot(stream)) as Ahead<P> | undefined;
  cache.delete(slot(stream));
  if (!ahead || ahead.key !== key || Date.now() - ahead.at > AHEAD_TTL_MS) return undefined;
  return { client: ahead.client, fetched: ahead.fetched };
}
