import type { ZodType } from 'zod';
import type { PhoneCountry } from '../domain/phone';
import type { Logger } from '../logger';
import type { RequestRetry } from '../providers/http';
import type { OriginPolicy } from '../providers/origins';
import type { EndpointLimit, EndpointLimits, TokenBucket, TokenBucketOptions } from '../providers/rate-limit';
import type { Store } from '../store';
import type { PageRequest, PageResult, StreamPlan, TestReport } from './types';

/**
 * What a provider gives the sync engine's activities. The engine asks this for the streams and the pages; it never
 * branches on the provider's name. Build it with `defineConnector` (./connector.ts) from the provider's streams.
 */
export interface SyncProvider<Settings = unknown, Credentials = unknown> {
  settings: ZodType<Settings>;
  credentials: ZodType<Credentials>;
  /**
   * The streams these settings describe (name, interval, backfill start), in the order they run when several are
   * due; with the credentials, also which streams are off and why (e.g. no API key for candidates).
   */
  streams(settings: Settings, credentials?: Credentials): StreamPlan[];
  /** The provider's documented request limit for one credential. */
  rateLimit(settings: Settings): TokenBucketOptions;
  /** Where the provider limits each endpoint on its own: its limits per endpoint family, for one credential. */
  endpointLimits?(settings: Settings): Record<string, EndpointLimit>;
  /**
   * The base URLs the credentials are sent to, by setting name, when there is more than `settings.baseUrl` (a pair
   * of providers, an authorization server): each must be allowed, and credentials are bound to all of them.
   */
  baseUrls?(settings: Settings): Record<string, string | undefined>;
  /** Credentials as an API response may show them (e.g. the key's last four characters). */
  maskCredentials(credentials: Credentials): Record<string, string>;
  /** A source bound to one connector's settings and credentials, for the length of one activity. */
  open(context: SourceContext<Settings, Credentials>): SyncSource;
}

export interface SourceContext<Settings, Credentials> {
  connectorId: string;
  /** The connector's provider: the `source`/`provider` every record it writes is keyed on. */
  provider: string;
  settings: Settings;
  credentials: Credentials;
  store: Store;
  /** Where the people's phones are read when written without their international prefix (`phoneCountryOf`). */
  phoneCountry: PhoneCountry;
  /** Shared by every activity of this connector in the process: the provider's rate limit. */
  limiter: TokenBucket;
  /** Shared likewise, when the provider declares `endpointLimits`: a bucket (and concurrency gate) per endpoint family. */
  endpoints?: EndpointLimits;
  /** Called while a page makes progress (records done) and while it waits on the rate limit. */
  heartbeat(): void;
  /** Told while the client tries a request again itself (the status shows it), and with undefined once it stops. */
  retrying?(retry: RequestRetry | undefined): void;
  logger: Logger;
  /** A cache that outlives one activity (e.g. archive reasons), scoped to the connector. */
  cache: Map<string, unknown>;
  /** Where the credentials may go (the client binds to it). */
  origins: OriginPolicy;
  /**
   * Hands one record's own work to a workflow of its own (e.g. delivering a candidate elsewhere), tagged with the
   * connector. Resolves once Temporal holds it: started now, or already running under that id.
   */
  startWorkflow(workflow: RecordWorkflow): Promise<void>;
}

/** A workflow for one record's own work, started from a stream's `write`. */
export interface RecordWorkflow {
  /** The workflow's type as the worker registers it. */
  workflowType: string;
  /** A business key: while a run holds it a second start is a no-op; once that run has ended, a start runs it again. */
  workflowId: string;
  /** Ids only: never personal data or secrets (they would be in the workflow's history). */
  args: unknown[];
  /** What the Temporal UI shows for it: ids only. */
  summary: string;
}

export interface SyncSource {
  /** Fetches one page of the stream, maps and upserts it, and says where the next page starts. */
  page(request: PageRequest): Promise<PageResult>;
  /** Checks the credentials and their permissions, and says what is missing. */
  test(): Promise<TestReport>;
}
