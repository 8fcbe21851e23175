// The rules of candidate data protection. Pure: no Node modules, no I/O — the workflow bundle imports this file.

/** What a person erased earlier becomes when they come again: refused (default), or created anew on a new application. */
export type ErasedReapply = 'refuse' | 'recreate';

/** How a record arriving from a board or a connector matches what was erased. */
export interface ErasedMatch {
  /** This very record was erased: its source record or one of its applications. */
  record: boolean;
  /** The person was erased: their email, or phone + surname, under the path's match rules. */
  person: boolean;
}

export type ErasedVerdict = 'write' | 'refuse' | 'recreate';

/**
 * A record of an erased person is refused, so erasure sticks. The same record (a redelivery, a re-sync of the
 * person's old record) is always refused. A person matching no one we hold now may be created again only when
 * `reapply` allows it and the record brings an application we never held: applying again is new consent.
 */
export function decideErased(
  match: ErasedMatch,
  context: { liveCandidate: boolean; newApplications: number; reapply: ErasedReapply },
): ErasedVerdict {
  if (match.record) return 'refuse';
  if (!match.person || context.liveCandidate) return 'write';
  return context.reapply === 'recreate' && context.newApplications > 0 ? 'recreate' : 'refuse';
}

/** The instant `months` calendar months before `now` (UTC): candidates idle since before it are erased by retention. */
export function idleSince(now: number, months: number): number {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.getTime();
}

/** What a retention run did: counts and the cut-off, never whom. */
export interface RetentionReport {
  months: number;
  /** Candidates idle since before this instant were erased. */
  idleBefore: string;
  erased: number;
  documentsDeleted: number;
  /** Deliveries never taken in (failed, kept for replay) whose applicant's data was dropped. */
  deliveriesExpired: number;
  /** Relay deliveries refused or failed (never delivered) whose person, CV link and ATS message were dropped. */
  relayDeliveriesExpired: number;
}
