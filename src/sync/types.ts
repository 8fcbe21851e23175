// The sync engine's vocabulary, shared by the workflow (pure) and the activities. No runtime imports here.
import type { RequestRetry } from '../providers/http';

export type ConnectorState = 'active' | 'paused' | 'failing';

/** One stream of a connector as its settings describe it (the provider entry decides which streams exist). */
export interface StreamPlan {
  name: string;
  intervalMs: number;
  /** Backfill from here (ms epoch); unset: see `withoutStartAt`. */
  startAt?: number;
  /**
   * Without a start date, the first run reads only the changes from the time the stream is set up (`changes`, the
   * default), or every record the provider holds now (`everything`), and changes from then on.
   */
  withoutStartAt?: 'changes' | 'everything';
  /**
   * Set for a stream that reads its whole list again when the settings its records are classified by change: a
   * digest of those settings. The first run after they change reads from `startAt` (else from the beginning), so the
   * records already held are classified again.
   */
  rules?: string;
  /** How far before the high-water mark each incremental run starts again, so nothing at the boundary is missed. */
  overlapMs: number;
  /** Set when the stream does not run with these settings and credentials, saying why (e.g. "no API key: candidates are off"). */
  off?: string;
}

/** When a connector's reconciling sweep runs: daily at a local time of day in an IANA time zone. */
export interface SweepPlan {
  enabled: boolean;
  /** `HH:MM`, local time in `timeZone`. */
  timeOfDay: string;
  timeZone: string;
}

/** What the workflow needs to know about its connector; never carries credentials. */
export interface ConnectorPlan {
  connectorId: string;
  provider: string;
  state: ConnectorState;
  lastError?: string;
  streams: StreamPlan[];
  /** Cursors kept in the store, for a workflow that starts without history (first start, or after a terminate). */
  cursors: Record<string, StreamCursor>;
  /** Absent in plans recorded before sweeps existed (their histories replay without one). */
  sweep?: SweepPlan;
}

/**
 * What a run of a stream is for: `incremental` reads what changed since the high-water mark; `sweep` reads every
 * record to repair what incremental runs missed and to find records gone at the provider; `resync` reads again
 * from a date and writes every record in place, deleting nothing.
 */
export type RunMode = 'incremental' | 'sweep' | 'resync';

/** Where one run of a stream is: the time window it reads and the provider's page token. */
export interface RunPosition {
  /** Inclusive lower bound on the provider's updatedAt (ms); unset = from the beginning. */
  since?: number;
  /** Inclusive upper bound, fixed when the run starts so pages stay stable. */
  until: number;
  /** The provider's opaque token for the next page; unset = the first page. */
  page?: string;
  /** Highest updatedAt seen so far in this run. */
  maxSeen?: number;
  backfill: boolean;
  /** Set when the run reads the whole list under these rules (`StreamPlan.rules`): the cursor keeps them once it ends. */
  rules?: string;
  /** Unset: incremental. */
  mode?: Exclude<RunMode, 'incremental'>;
  /**
   * The listing is complete (every page read): records the run did not list are being looked at, a batch per page,
   * and those the provider confirms gone are marked deleted.
   */
  settling?: boolean;
}

export interface StreamCursor {
  /** Highest provider updatedAt (ms) of a completed run. */
  highWater?: number;
  /** The run in progress, when there is one. */
  run?: RunPosition;
  /** The backfill start this cursor was built from; a different start date restarts the backfill. */
  startAt?: number;
  /** The rules the whole list was last read under; other rules in the plan make the next run read it all again. */
  rules?: string;
  /** Without a start date: when the stream was set up (what a sweep covers from). */
  coversFrom?: number;
  /**
   * Stored only: what the page activity that wrote this cursor (`attempt`: its workflow run and activity id) has
   * summed so far, so a retry of it answers that sum instead of writing its pages again. Kept after the run's last
   * page too (the next run's first page replaces it).
   */
  progress?: { attempt: string; result: PageResult };
}

export interface PageRequest {
  connectorId: string;
  stream: string;
  position: RunPosition;
  /** The stream's high-water mark before this run, so the activity can store the cursor after the page. */
  highWater?: number;
  startAt?: number;
  rules?: string;
  coversFrom?: number;
}

export interface RecordCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  /**
   * Records gone at the provider, and applications a record no longer lists, marked deleted here, each once (absent
   * in results recorded before sweeps existed).
   */
  deleted?: number;
}

/** A page activity's heartbeat details: its client's retry of a request, while one is under way (see ProviderHttp). */
export interface PageHeartbeat {
  retrying?: RequestRetry;
}

/** What the writes for one provider record produced, by kind (external ids): what a record found gone takes with it. */
export interface WrittenRefs {
  jobs?: string[];
  people?: string[];
  applications?: string[];
}

export interface PageResult {
  counts: RecordCounts;
  /** Why records were skipped, e.g. `{"no location": 3}`. */
  skippedReasons: Record<string, number>;
  /** What was written only in part, and why, e.g. `{"résumé: no text (scanned)": 2}`. */
  notes?: Record<string, number>;
  /** The position for the next page; unset when the run is done. */
  next?: RunPosition;
  /** Requests made to the provider for this page. */
  requests: number;
  /** The provider's estimate of the run's total records, when it gives one. */
  total?: number;
  /** Highest updatedAt seen in the run so far (this page included): the next high-water mark once the run ends. */
  maxSeen?: number;
  /** Board postings still live or pending of the page's jobs that the provider closed or stopped publishing. */
  postingsToUnpost?: PostingToUnpost[];
  /** Pages this result sums (one activity writes the pages that follow for a moment); unset: one. */
  pages?: number;
}

/** A posting whose job has left the provider's listings: the sync asks its workflow to take it off the board. */
export interface PostingToUnpost {
  workflowId: string;
  reason: string;
}

export interface TestReport {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; detail?: string }>;
  /** What the credentials lack, in words, e.g. "key lacks list opportunities". */
  missing: string[];
  /** A connector of several APIs (`ConnectionTest.part`): each part, whether it works and what it lacks. */
  parts?: Record<string, { ok: boolean; missing: string[] }>;
}

export const emptyCounts = (): Required<RecordCounts> => ({ created: 0, updated: 0, unchanged: 0, skipped: 0, deleted: 0 });
