import type { ZodType } from 'zod';
import type { TokenBucketOptions } from '../providers/rate-limit';
import { ConnectionTest, type CredentialWords } from './connection-test';
import { RecordLedger, settingsDigest } from './ledger';
import type { SourceContext, SyncProvider, SyncSource } from './provider';
import { PageTally, type RecordOutcome } from './tally';
import type { PageRequest, PageResult, StreamPlan } from './types';
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
  /** Jobs and people keyed on this connector's provider. */
  writer: SyncWriter;
}

/** A stream as a provider declares it. */
export interface StreamSpec<R, Settings, Client> {
  /** When the stream runs, from the connector's settings. */
  schedule(settings: Settings): Omit<StreamPlan, 'name' | 'rules'>;
  /** One page of the window, starting at `page` (the previous page's `next`; unset: the first page). */
  fetch(ctx: StreamContext<Settings, Client>, window: RunWindow, page: string | undefined): Promise<FetchedPage<R>>;
  /** The record's id at the provider and when it last changed there (ms since the epoch). */
  identify(record: R): { id: string; updatedAt: number };
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
}

/** A declared stream, its record type sealed inside. */
export interface Stream<Settings, Client> {
  schedule(settings: Settings): Omit<StreamPlan, 'name'>;
  page(ctx: StreamContext<Settings, Client>, request: PageRequest): Promise<Omit<PageResult, 'requests'>>;
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
  maskCredentials(credentials: Credentials): Record<string, string>;
  /** The client for one activity, paced by `ctx.limiter` and heartbeating through `ctx.heartbeat` while it waits. */
  connect(ctx: SourceContext<Settings, Credentials>): Client;
  /** The streams, in the order they run when several are due. */
  streams: Record<string, Stream<Settings, Client>>;
  /** How the provider words a refused or lacking credential in the connection test. */
  credentialWords?: CredentialWords;
  /** Tries each permission the streams need with the smallest request (`test.check`); the engine reports. */
  test(test: ConnectionTest, ctx: StreamContext<Settings, Client>): Promise<void>;
}

/** Seals a stream's record type, so a connector can hold streams of different records. */
export function defineStream<R, Settings, Client>(spec: StreamSpec<R, Settings, Client>): Stream<Settings, Client> {
  return {
    schedule: (settings) => ({
      ...spec.schedule(settings),
      ...(spec.rescanWhenRulesChange && { rules: settingsDigest(spec.fingerprint(settings)) }),
    }),
    async page(ctx, request) {
      const { since, until } = request.position;
      const page = await fetchOrRestart(spec, ctx, { since, until }, request.position.page);
      const tally = new PageTally(request.position);
      const ids = page.records.map((r) => spec.identify(r));
      const ledger = await RecordLedger.open(
        ctx.store,
        ctx.connectorId,
        request.stream,
        spec.fingerprint(ctx.settings),
        ids.map((r) => r.id),
      );
      const changed: R[] = [];
      page.records.forEach((record, i) => {
        tally.saw(ids[i].updatedAt);
        if (ledger.unchanged(ids[i].id, ids[i].updatedAt)) tally.add({ outcome: 'unchanged' });
        else changed.push(record);
      });
      await spec.write(changed, ctx, (record, outcome) => {
        const { id, updatedAt } = spec.identify(record);
        tally.add(outcome);
        ledger.enter(id, updatedAt);
        ctx.heartbeat();
      });
      await ledger.save();
      // Asked of every record read, not only of those written now: a retry of a page whose writes were done still reports them.
      const postingsToUnpost = await ctx.writer.postingsOfEndedJobs(ids.map((r) => r.id));
      return { ...tally.result(page.next), total: page.total, ...(postingsToUnpost.length && { postingsToUnpost }) };
    },
  };
}

/** A page token may not survive (expiry, a changed query): the run's window is read again; writes are upserts. */
async function fetchOrRestart<R, Settings, Client>(
  spec: StreamSpec<R, Settings, Client>,
  ctx: StreamContext<Settings, Client>,
  window: RunWindow,
  page: string | undefined,
): Promise<FetchedPage<R>> {
  try {
    return await spec.fetch(ctx, window, page);
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
    maskCredentials: spec.maskCredentials,
    streams: (settings) => Object.entries(spec.streams).map(([name, stream]) => ({ name, ...stream.schedule(settings) })),
    open(source): SyncSource {
      const client = spec.connect(source);
      const context = (): StreamContext<Settings, Client> => ({ ...source, client, writer: new SyncWriter(source.store, source.provider) });
      return {
        async page(request) {
          const stream = Object.hasOwn(spec.streams, request.stream) ? spec.streams[request.stream] : undefined;
          if (!stream) throw new Error(`no stream "${request.stream}"`);
          const started = client.requests;
          const result = await stream.page(context(), request);
          return { ...result, requests: client.requests - started };
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
