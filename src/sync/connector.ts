import type { ZodType } from 'zod';
import { candidatesChanged } from '../events/catalog';
import type { EndpointLimit, TokenBucketOptions } from '../providers/rate-limit';
import { fetchAhead, takeAhead } from './ahead';
import { ConnectionTest, type CredentialWords } from './connection-test';
import { digestOf, type ListedRecord, RecordLedger, settingsDigest } from './ledger';
import type { SourceContext, SyncProvider, SyncSource } from './provider';
import { PageTally, type RecordOutcome } from './tally';
import { emptyCounts, type PageRequest, type PageResult, type StreamPlan } from './types';
import { SyncWriter } from './writes';

// The sync engine's side of a connector. A provider declares its streams and supplies, per stream, only what is its
// own: fetch a page of a time window, say where the next page starts, map and write records. The engine supplies
// the rest: the page's tally and high-water mark, the seen-records ledger and settings fingerprint, a restart when
// the provider no longer knows a page token, the request count, and the connection-test harness.

/** One page as the provider returned it. */
export interface FetchedPage<R> {
  records: R[];
  /** Where the next page starts (the provider's cursor, offset or link); unset: this was the run's last page. */
  next?: string;
  /** The provider's count of every record in the run's window, when it gives one (backfill progress). */
  total?: number;
}

/** The time window one run of a stream reads: inclusive bounds on the provider's updatedAt, in ms. */
export interface RunWindow {
  /** Unset: from the beginning (a backfill without a start date). */
  since?: number;
  until: number;
}

/** What a stream's functions get: the source context, the provider's client for this activity, and the page's writer. */
export interface StreamContext<Settings, Client> extends SourceContext<Settings, unknown> {
  client: Client;
  /** Another client on the same limits, heartbeating no activity: for a page fetched ahead, which may outlive this one. */
  spareClient(): Client;
  /** Jobs and people keyed on this connector's provider. */
  writer: SyncWriter;
}

/** A stream as a provider declares it. */
export interface StreamSpec<R, Settings, Client> {
  /** When the stream runs, from the connector's settings. */
  schedule(settings: Settings): Omit<StreamPlan, 'name' | 'rules' | 'off'>;
  /** One page of the window, starting at `page` (the previous page's `next`; unset: the first page). */
  fetch(ctx: StreamContext<Settings, Client>, window: RunWindow, page: string | undefined): Promise<FetchedPage<R>>;
  /**
   * The record's id at the provider and, when the provider gives one, when it last changed there (ms since the
   * epoch). Without an update time the record's listed content (`version`) alone tells whether it changed.
   */
  identify(record: R): { id: string; updatedAt?: number };
  /** What of the record as listed its writes depend on (hashed); default: all of it. */
  version?(record: R): unknown;
  /**
   * A list that does not show everything a record's write reads (e.g. a posting's job ad, from its details): each
   * record listed unchanged is still written again once in this many ms, each at a time of its own, so every run
   * reads a share of them. Unset or 0: only when listed changed (and by `rewrite` sweeps).
   */
  rereadEvery?(settings: Settings): number | undefined;
  /** The settings this stream's writes depend on: when they change, records are written again though unchanged at the provider. */
  fingerprint(settings: Settings): unknown;
  /**
   * The stream's list is small and its records are classified by the `fingerprint` settings (e.g. which jobs are
   * published): when those change, the next run reads the whole list again, so the records already held are
   * classified again instead of when each next changes at the provider.
   */
  rescanWhenRulesChange?: boolean;
  /** Maps and writes the page's new and changed records (in order), calling `done` once for each. */
  write(records: R[], ctx: StreamContext<Settings, Client>, done: (record: R, outcome: RecordOutcome) => void): Promise<void>;
  /** The provider refused the page token as unknown (expired, or the query changed): the run's window is read again. */
  isStalePage?(err: unknown): boolean;
  /**
   * `fetch` ignores the window's times and lists every record (the provider has no change filter, e.g. a public
   * postings list): each run is a complete listing, so a record a finished run no longer lists is gone.
   */
  listsEverything?: boolean;
  /**
   * `fetch` lists a queue of records waiting for us (e.g. candidates ready to be sent), not the records that exist:
   * one it no longer lists was taken off the queue, not deleted, so a sweep reads the queue again (handing over what
   * the incremental runs missed) but never settles it.
   */
  listsQueue?: boolean;
  /**
   * What a sweep does with a record listed as before: `compare` (default) trusts the listing (update time and
   * version); `rewrite` writes every record again, for a list that does not show all a write depends on (e.g. a
   * posting's job ad, read from its details).
   */
  sweep?: 'compare' | 'rewrite';
  /**
   * Of records a complete listing no longer showed, those the provider confirms gone (e.g. its own URL answers
   * 404); the others are left as they are. Unset: the listing is trusted.
   */
  confirmGone?(ctx: StreamContext<Settings, Client>, ids: string[]): Promise<string[]>;
}

/** A declared stream, its record type sealed inside. */
export interface Stream<Settings, Client> {
  schedule(settings: Settings): Omit<StreamPlan, 'name' | 'off'>;
  /** The page's result, and the requests of its page fetched ahead by the previous page's activity (not on `ctx.client`). */
  page(ctx: StreamContext<Settings, Client>, request: PageRequest): Promise<Omit<PageResult, 'requests'> & { requestsAhead?: number }>;
}

/** A provider's client for one activity: it counts the requests it sends (retries included). */
export interface CountingClient {
  readonly requests: number;
}

export interface ConnectorSpec<Settings, Credentials, Client extends CountingClient> {
  settings: ZodType<Settings>;
  credentials: ZodType<Credentials>;
  /** The provider's documented request limit for one credential. */
  rateLimit(settings: Settings): TokenBucketOptions;
  /** Where the provider limits each endpoint on its own: its limits per endpoint family (`ctx.endpoints`). */
  endpointLimits?(settings: Settings): Record<string, EndpointLimit>;
  /** The base URLs credentials go to, when more than `settings.baseUrl` (see SyncProvider). */
  baseUrls?(settings: Settings): Record<string, string | undefined>;
  maskCredentials(credentials: Credentials): Record<string, string>;
  /** The client for one activity, paced by `ctx.limiter` and heartbeating through `ctx.heartbeat` while it waits. */
  connect(ctx: SourceContext<Settings, Credentials>): Client;
  /** The streams, in the order they run when several are due. */
  streams: Record<string, Stream<Settings, Client>>;
  /** Streams that do not run with these settings and credentials, and why (shown in the status; not a failure). */
  streamsOff?(settings: Settings, credentials: Credentials): Record<string, string | undefined>;
  /** How the provider words a refused or lacking credential in the connection test. */
  credentialWords?: CredentialWords;
  /** Tries each permission the streams need with the smallest request (`test.check`); the engine reports. */
  test(test: ConnectionTest, ctx: StreamContext<Settings, Client>): Promise<void>;
}

/** Records a settling page looks at, at most (each may cost the provider a request to confirm it gone). */
const SETTLE_BATCH = 50;

/**
 * Which round of re-reads a record is in at `now`: it moves on once every `everyMs`, at an offset of the record's own
 * (from its id), so the records due are spread evenly over the period instead of all falling due at once.
 */
export function rereadRound(id: string, now: number, everyMs: number): number {
  const offset = Number.parseInt(digestOf(id).slice(0, 12), 16) % everyMs;
  return Math.floor((now + offset) / everyMs);
}

/** Seals a stream's record type, so a connector can hold streams of different records. */
export function defineStream<R, Settings, Client>(spec: StreamSpec<R, Settings, Client>): Stream<Settings, Client> {
  const listed = (record: R, settings: Settings): ListedRecord => {
    const identity = spec.identify(record);
    const content = spec.version ? spec.version(record) : record;
    const every = spec.rereadEvery?.(settings);
    return { ...identity, version: digestOf(every ? { content, round: rereadRound(identity.id, Date.now(), every) } : content) };
  };
  return {
    schedule: (settings) => ({
      ...spec.schedule(settings),
      ...(spec.rescanWhenRulesChange && { rules: settingsDigest(spec.fingerprint(settings)) }),
    }),
    async page(ctx, request) {
      const position = request.position;
      if (position.settling) return settle(spec, ctx, request);
      const { since, until } = position;
      const window = { since, until };
      const keyOf = (page: string | undefined) =>
        digestOf({ stream: request.stream, window, page, settings: ctx.settings, credentials: ctx.credentials });
      const ahead = takeAhead<FetchedPage<R>>(ctx.cache, request.stream, keyOf(position.page));
      const page = await fetchOrRestart(spec, ctx, window, position.page, ahead?.fetched);
      // The next page is on its way while this one is written.
      const next = page.next;
      if (next !== undefined) {
        const client = ctx.spareClient();
        fetchAhead(ctx.cache, request.stream, keyOf(next), client as CountingClient, () => spec.fetch({ ...ctx, client }, window, next));
      }
      const tally = new PageTally(position);
      const records = page.records.map((record) => listed(record, ctx.settings));
      const listedOf = new Map(page.records.map((record, i) => [record, records[i]]));
      const ledger = await RecordLedger.open(
        ctx.store,
        ctx.connectorId,
        request.stream,
        spec.fingerprint(ctx.settings),
        records.map((r) => r.id),
      );
      const rewriteAll = position.mode === 'resync' || (position.mode === 'sweep' && spec.sweep === 'rewrite');
      const changed: R[] = [];
      page.records.forEach((record, i) => {
        tally.saw(records[i].updatedAt);
        if (!rewriteAll && ledger.unchanged(records[i])) tally.add({ outcome: 'unchanged' });
        else changed.push(record);
      });
      await spec
        .write(changed, ctx, (record, outcome) => {
          tally.add(outcome);
          ledger.enter(listedOf.get(record) ?? listed(record, ctx.settings), outcome.wrote);
          ctx.heartbeat();
        })
        // Before the ledger is saved: a retry of a page cut short finds the same applications dropped.
        .then(async () => tally.dropped(await ctx.writer.gone({ applications: ledger.droppedApplications() })))
        .finally(() => announcePeople(ctx, request)); // what was written is announced even when the page fails part-way
      const complete = completeListing(spec, position);
      await ledger.save(
        complete ? until : undefined,
        records.map((r) => r.id),
      );
      // Asked of every record read that wrote a job, not only of those written now: a retry of a page whose writes
      // were done still reports them. A page whose records wrote no job (people) asks nothing.
      const jobRecords = ledger.wroteJobs(records.map((r) => r.id));
      const postingsToUnpost = jobRecords.length ? await ctx.writer.postingsOfEndedJobs(jobRecords) : [];
      const result = {
        ...tally.result(page.next),
        total: page.total,
        ...(postingsToUnpost.length && { postingsToUnpost }),
        ...(ahead && { requestsAhead: ahead.client.requests }),
      };
      // The listing is done: what it no longer showed is looked at next, before the run ends.
      if (!result.next && complete) result.next = { ...position, page: undefined, maxSeen: result.maxSeen, settling: true };
      return result;
    },
  };
}

/**
 * A run that lists every record of its window (a sweep, or any run of a stream that always lists everything), so
 * what it did not list may be gone. A queue's listing never is.
 */
function completeListing(spec: { listsEverything?: boolean; listsQueue?: boolean }, position: PageRequest['position']): boolean {
  if (spec.listsQueue) return false;
  return position.mode === 'sweep' || (spec.listsEverything === true && position.mode !== 'resync');
}

/**
 * One batch of the records a finished complete listing did not show: those the provider confirms gone are marked
 * deleted with what they wrote (a person another live record still wrote stays); the others stay as they are. Runs
 * only after every page of the listing was read, so a listing cut short removes nothing.
 */
async function settle<R, Settings, Client>(
  spec: StreamSpec<R, Settings, Client>,
  ctx: StreamContext<Settings, Client>,
  request: PageRequest,
): Promise<Omit<PageResult, 'requests'>> {
  const { position, stream } = request;
  const since = spec.listsEverything ? undefined : position.since;
  const unlisted = await ctx.store.connectors.unlisted(ctx.connectorId, stream, position.until, since, SETTLE_BATCH);
  const ids = unlisted.map((r) => r.externalId);
  const gone = new Set(spec.confirmGone && ids.length ? await spec.confirmGone(ctx, ids) : ids);
  const goneRecords = unlisted.filter((r) => gone.has(r.externalId));
  const people = [...new Set(goneRecords.flatMap((r) => r.wrote?.people ?? []))];
  const kept = await ctx.store.connectors.peopleStillWritten(ctx.connectorId, people, { stream, externalIds: [...gone] });
  const jobs = goneRecords.flatMap((r) => r.wrote?.jobs ?? []);
  await ctx.writer
    .gone({
      jobs,
      applications: goneRecords.flatMap((r) => r.wrote?.applications ?? []),
      people: people.filter((p) => !kept.has(p)),
    })
    .finally(() => announcePeople(ctx, request));
  await ctx.store.connectors.markGone(ctx.connectorId, stream, [...gone]);
  // Still there though not listed (a listing glitch, a record moved out of the window): left alone this run.
  await ctx.store.connectors.markListed(
    ctx.connectorId,
    stream,
    ids.filter((id) => !gone.has(id)),
    position.until,
  );
  const counts = { ...emptyCounts(), deleted: gone.size };
  const next = unlisted.length === SETTLE_BATCH ? position : undefined;
  // A job gone at the provider comes off the boards too: asked once the listing has settled, of every gone job, so
  // a retry of a batch whose writes were done (and so finds nothing unlisted) still reports their postings.
  const postingsToUnpost = next ? [] : await ctx.writer.postingsOfGoneJobs();
  return { counts, skippedReasons: {}, next, maxSeen: position.maxSeen, ...(postingsToUnpost.length && { postingsToUnpost }) };
}

/**
 * `candidate.created` / `candidate.updated` for the people the page wrote, or a settling batch marked gone (a retried
 * page or batch announces only what it changed again).
 */
function announcePeople<Settings, Client>(ctx: StreamContext<Settings, Client>, request: PageRequest): Promise<void> {
  const { position, stream } = request;
  const scope = {
    connectorId: ctx.connectorId,
    provider: ctx.provider,
    stream,
    runUntil: position.until,
    page: position.settling ? 'settling' : position.page,
  };
  return ctx.store.events.raise(candidatesChanged(scope, ctx.writer.people));
}

/** A page token may not survive (expiry, a changed query): the run's window is read again; writes are upserts. */
async function fetchOrRestart<R, Settings, Client>(
  spec: StreamSpec<R, Settings, Client>,
  ctx: StreamContext<Settings, Client>,
  window: RunWindow,
  page: string | undefined,
  fetchedAhead?: Promise<FetchedPage<R>>,
): Promise<FetchedPage<R>> {
  try {
    return await (fetchedAhead ?? spec.fetch(ctx, window, page));
  } catch (err) {
    if (!page || !spec.isStalePage?.(err)) throw err;
    return spec.fetch(ctx, window, undefined);
  }
}

/** The provider's entry for the sync engine, from its declared streams. */
export function defineConnector<Settings, Credentials, Client extends CountingClient>(
  spec: ConnectorSpec<Settings, Credentials, Client>,
): SyncProvider<Settings, Credentials> {
  return {
    settings: spec.settings,
    credentials: spec.credentials,
    rateLimit: spec.rateLimit,
    endpointLimits: spec.endpointLimits,
    baseUrls: spec.baseUrls,
    maskCredentials: spec.maskCredentials,
    streams(settings, credentials) {
      const off = credentials === undefined ? {} : (spec.streamsOff?.(settings, credentials) ?? {});
      return Object.entries(spec.streams).map(([name, stream]) => ({
        name,
        ...stream.schedule(settings),
        ...(off[name] ? { off: off[name] } : {}),
      }));
    },
    open(source): SyncSource {
      const client = spec.connect(source);
      const context = (): StreamContext<Settings, Client> => ({
        ...source,
        client,
        spareClient: () => spec.connect({ ...source, heartbeat: () => undefined, retrying: undefined }),
        writer: new SyncWriter(source.store, source.provider, source.phoneCountry),
      });
      return {
        async page(request) {
          const stream = Object.hasOwn(spec.streams, request.stream) ? spec.streams[request.stream] : undefined;
          if (!stream) throw new Error(`no stream "${request.stream}"`);
          const started = client.requests;
          const { requestsAhead = 0, ...result } = await stream.page(context(), request);
          return { ...result, requests: client.requests - started + requestsAhead };
        },
        async test() {
          const test = new ConnectionTest(spec.credentialWords);
          await spec.test(test, context());
          return test.report();
        },
      };
    },
  };
}
