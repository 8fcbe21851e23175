import type { StreamStatus } from '../domain/connector';
import type { Posting } from '../domain/posting';
import type { IntakeOutcome, IntakeRef } from '../intake/rules';
import type { NewEvent } from './types';

// Each event jobrelay raises, built from what the change wrote: ids, states, counts and times. Never a CV, and no
// candidate's name, email, phone or address (erasure never has to look at events). Pure: workflows build events too.

const postingSubject = (postingId: string) => `posting:${postingId}`;
const connectorSubject = (connectorId: string) => `connector:${connectorId}`;

/** The event a posting's recorded transition raises (its history kind), if any: an amend raises none. */
export function postingEvent(posting: Posting, historyKind: string, jobTitle: string | undefined): NewEvent | undefined {
  const about = {
    postingId: posting.id,
    jobId: posting.jobId,
    board: posting.board,
    ...(jobTitle !== undefined && { jobTitle }),
    repostCount: posting.repostCount,
  };
  const event = (type: NewEvent['type'], data: Record<string, unknown>): NewEvent => ({
    key: `${type}:${posting.id}:${posting.repostCount}`,
    type,
    subject: postingSubject(posting.id),
    data: { ...about, ...data },
  });
  switch (historyKind) {
    case 'posted':
    case 'reposted':
      return event('posting.live', {
        externalId: posting.externalId,
        publicUrl: posting.publicUrl,
        postedAt: posting.postedAt,
        expiresAt: posting.expiresAt,
        reposted: historyKind === 'reposted',
      });
    case 'expired':
      return event('posting.expired', { expiresAt: posting.expiresAt });
    case 'unposted':
      return event('posting.unposted', {});
    case 'failed':
      // The reason (`lastError`, the board's own words) stays behind `GET /v1/postings/:id`: it may quote an address.
      return event('posting.failed', {});
    default:
      return undefined;
  }
}

/** A board's application taken in (recorded, not rejected); `postingId` and `jobId` from its staged delivery. */
export function applicationCreated(
  ref: IntakeRef,
  outcome: IntakeOutcome,
  delivery: { postingId: string; jobId: string },
): NewEvent | undefined {
  if (outcome.outcome !== 'recorded' || !outcome.applicationId) return undefined;
  return {
    key: `application.created:${ref.provider}:${ref.applicationId}`,
    type: 'application.created',
    subject: `application:${outcome.applicationId}`,
    data: {
      applicationId: outcome.applicationId,
      candidateId: outcome.candidateId,
      jobId: delivery.jobId,
      postingId: delivery.postingId,
      provider: ref.provider,
      externalId: ref.applicationId,
      late: outcome.late ?? false,
      ...(outcome.documentId && { cvDocumentId: outcome.documentId }),
    },
  };
}

/** Where a sync page was: its connector, stream, the run's window end and the provider's page token. */
export interface SyncPageScope {
  connectorId: string;
  provider: string;
  stream: string;
  runUntil: number;
  page?: string;
}

/**
 * The people one sync page created and updated: at most two events, each listing candidate ids. The key holds the
 * ids, so a retried page raises again only what it wrote this time (what an earlier attempt wrote now reads unchanged).
 */
export function candidatesChanged(scope: SyncPageScope, people: { created: string[]; updated: string[] }): NewEvent[] {
  const { connectorId, provider, stream, runUntil, page } = scope;
  const batch = (type: 'candidate.created' | 'candidate.updated', ids: string[]): NewEvent[] =>
    ids.length === 0
      ? []
      : [
          {
            key: `${type}:${connectorId}:${stream}:${runUntil}:${page ?? ''}:${[...ids].sort().join(',')}`,
            type,
            subject: connectorSubject(connectorId),
            data: { connectorId, provider, stream, candidateIds: ids },
          },
        ];
  return [...batch('candidate.created', people.created), ...batch('candidate.updated', people.updated)];
}

/** A stream's run finished: its counts as `GET /v1/connectors/:id` shows them. */
export function syncCompleted(connector: { connectorId: string; provider?: string }, stream: string, run: StreamStatus): NewEvent {
  return {
    key: `sync.completed:${connector.connectorId}:${stream}:${run.lastStartedAt}`,
    type: 'sync.completed',
    subject: connectorSubject(connector.connectorId),
    data: {
      connectorId: connector.connectorId,
      provider: connector.provider,
      stream,
      startedAt: run.lastStartedAt,
      finishedAt: run.lastFinishedAt,
      mode: run.mode,
      counts: {
        created: run.created,
        updated: run.updated,
        unchanged: run.unchanged,
        skipped: run.skipped,
        deleted: run.deleted,
        repaired: run.repaired,
      },
      skippedReasons: run.skippedReasons,
      pages: run.pages,
      requests: run.requests,
      ...(run.backfill && { backfill: true }),
    },
  };
}

/** The connector stopped until a person acts (a rejected key, a missing permission, settings no longer valid). */
export function syncFailing(
  connector: { connectorId: string; provider?: string },
  lastError: { message: string; stream?: string; at: string },
): NewEvent {
  return {
    key: `sync.failing:${connector.connectorId}:${lastError.at}`,
    type: 'sync.failing',
    subject: connectorSubject(connector.connectorId),
    data: {
      connectorId: connector.connectorId,
      provider: connector.provider,
      ...(lastError.stream && { stream: lastError.stream }),
      error: lastError.message,
      since: lastError.at,
    },
  };
}

/** A status-sync run (eRecruiter → inhire) ended: raise it from the activity that records the run's end. */
export function statusSyncCompleted(run: {
  id: string;
  connectorId: string;
  state: string;
  since?: string;
  until?: string;
  counts?: Record<string, number>;
  startedAt: string;
  finishedAt?: string;
}): NewEvent {
  return {
    key: `status_sync.completed:${run.id}`,
    type: 'status_sync.completed',
    subject: connectorSubject(run.connectorId),
    data: {
      connectorId: run.connectorId,
      runId: run.id,
      state: run.state,
      since: run.since,
      until: run.until,
      counts: run.counts ?? {},
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
    },
  };
}
