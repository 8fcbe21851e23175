import type { CandidateFields, DocumentKind } from '../domain/candidate';
import { GoneError } from '../domain/errors';
import type { Job } from '../domain/job';
import type { PhoneCountry } from '../domain/phone';
import type { Store } from '../store';
import type { UpsertCandidateResult } from '../store/candidates';
import type { EndedJobPosting } from '../store/postings';
import type { RecordOutcome } from './tally';
import type { PostingToUnpost, WrittenRefs } from './types';

// The writes every ATS connector makes, keyed on the connector's provider: jobs, and people with their
// applications and CV. A provider maps its records to these shapes; the store keeps every write an upsert.

/** A job as a sync writes it: our Job's fields plus the flags the connector decides. */
export type SyncedJob = Omit<Job, 'id' | 'createdAt' | 'updatedAt'> & { externalId: string };

/** What becomes of a provider's job. */
export type JobDecision =
  | { action: 'import'; job: SyncedJob }
  /** Not (or no longer) matching the settings: a job we already hold is marked unpublished, else skipped. */
  | { action: 'unpublish'; state: 'open' | 'closed'; reason: string }
  | { action: 'skip'; reason: string };

/** A person at the provider, with their applications and (optionally) their CV. */
export interface SyncedPerson {
  /** The person's id at the provider (not an application's). */
  externalId: string;
  /** Where they came from, as the provider says it; kept on the source and on each application. */
  referrer?: string;
  fields: CandidateFields;
  /** false: a person we do not hold yet (by this source or email) is skipped, not created. */
  createIfUnknown: boolean;
  applications: Array<{
    externalId: string;
    /** The provider's id of the job applied to: linked to the job this connector synced, when there is one. */
    jobExternalId?: string;
    status: string;
    providerStatus?: string;
    appliedAt: string;
    /** Where this application came from, when the provider says it per application (else the person's referrer). */
    referrer?: string;
  }>;
  /** Stored once per person and content, linked to their first application. */
  cv?: { filename: string; contentType: string; content: Buffer };
  /** Their other files (e.g. a cover letter), kept as the CV is, under their kind. */
  documents?: Array<{ kind: DocumentKind; filename: string; contentType: string; content: Buffer }>;
}

/** A person whose data was erased: counted as `skipped: erased` in the connector's status. */
export const ERASED_REASON = 'erased';
const ERASED: RecordOutcome = { outcome: 'skipped', reason: ERASED_REASON };

/** A person's candidate as the page's transaction wrote it, and whether their applications changed. */
interface WrittenPerson {
  candidate: UpsertCandidateResult;
  changed: boolean;
  firstApplicationId?: string;
}

/** One page's writes for one connector: every record keyed on the connector's provider. */
export class SyncWriter {
  /** The candidates this page created and updated, for its events. */
  readonly people = { created: [] as string[], updated: [] as string[] };

  constructor(
    private readonly store: Store,
    private readonly provider: string,
    /** Where the provider's phones are read (stamped on every person it writes). */
    private readonly phoneCountry: PhoneCountry,
  ) {}

  async job(externalId: string, decision: JobDecision): Promise<RecordOutcome> {
    if (decision.action === 'skip') return { outcome: 'skipped', reason: decision.reason, wrote: {} };
    const wrote = { jobs: [externalId] };
    if (decision.action === 'import')
      return { outcome: (await this.store.jobs.upsertFromSource({ ...decision.job, source: this.provider })).outcome, wrote };
    const outcome = await this.store.jobs.unpublishFromSource(this.provider, externalId, decision.state);
    return outcome === 'missing' ? { outcome: 'skipped', reason: decision.reason, wrote: {} } : { outcome, wrote };
  }

  /**
   * What records gone at the provider had written (or applications a record no longer lists) is marked so, never
   * deleted: jobs unpublished and closed, the people's source and their applications with `deletedAt` (a person with
   * no live source left, too). The people it changed count as updated, for their events. Answers how many
   * applications it marked (one already gone is not marked again).
   */
  async gone(refs: WrittenRefs): Promise<number> {
    const { store, provider } = this;
    await store.jobs.markGone(provider, refs.jobs ?? []);
    const applications = await store.applications.markGone(provider, refs.applications ?? []);
    const changed = [...applications, ...(await store.candidates.markSourcesGone(provider, refs.people ?? []))];
    const known = new Set([...this.people.created, ...this.people.updated]);
    this.people.updated.push(...new Set(changed.filter((id) => !known.has(id))));
    return applications.length;
  }

  /**
   * The board postings (live or pending) of these records' jobs that the provider has closed or stopped publishing:
   * a job that leaves the provider's listings comes off the boards too.
   */
  async postingsOfEndedJobs(externalIds: string[]): Promise<PostingToUnpost[]> {
    return (await this.store.postings.liveOfEndedSourceJobs(this.provider, externalIds)).map((p) => this.unpost(p));
  }

  /**
   * The board postings (live or pending) of every job of this provider a complete listing found gone: asked after
   * each listing settles, so a settle cut short after marking its jobs still has their postings taken down.
   */
  async postingsOfGoneJobs(): Promise<PostingToUnpost[]> {
    return (await this.store.postings.liveOfGoneSourceJobs(this.provider)).map((p) => this.unpost(p));
  }

  private unpost({ workflowId, jobClosed, jobGone }: EndedJobPosting): PostingToUnpost {
    const ended = jobGone ? 'deleted' : jobClosed ? 'closed' : 'no longer published';
    return { workflowId, reason: `job ${ended} in ${this.provider}` };
  }

  /**
   * The candidate (merged, never blanked; matched by email across sources), their applications, and the CV.
   * A person whose data was erased is skipped (`erased`), never written again.
   */
  async person(person: SyncedPerson): Promise<RecordOutcome> {
    return (await this.writePeople([person]))[0];
  }

  /**
   * Many people (a page) as `person` writes each, in order, in one transaction of a few set-based statements:
   * their candidates and sources, then their applications. Their CVs follow, each on its own.
   */
  async writePeople(persons: SyncedPerson[]): Promise<RecordOutcome[]> {
    if (persons.length === 0) return [];
    const written = await this.candidatesAndApplications(persons);
    const outcomes: RecordOutcome[] = [];
    for (const [i, person] of persons.entries()) {
      const w = written[i];
      if (w.candidate.reason === 'erased') outcomes.push(ERASED);
      else if (!w.candidate.candidateId || w.candidate.outcome === 'skipped')
        outcomes.push({ outcome: 'skipped', reason: 'unknown candidate', wrote: {} });
      else outcomes.push(await this.finish(person, w.candidate.candidateId, w.candidate.outcome, w.changed, w.firstApplicationId));
    }
    return outcomes;
  }

  /**
   * One transaction, holding every person's lock: a write racing an erasure of one of them (the store refuses it,
   * GoneError) rolls the whole page back, and it is written again, that person now screened as erased.
   */
  private async candidatesAndApplications(persons: SyncedPerson[], attempts = 3): Promise<WrittenPerson[]> {
    const { store, provider } = this;
    try {
      return await store.db.transaction().execute(async (tx) => {
        const candidates = await store.candidates.upsertMany(
          persons.map((p) => ({
            source: { provider, externalId: p.externalId, referrer: p.referrer },
            fields: { ...p.fields, phoneCountry: this.phoneCountry },
            createIfUnknown: p.createIfUnknown,
            applicationIds: p.applications.map((a) => a.externalId),
          })),
          tx,
        );
        const jobIds = await store.jobs.idsBySource(
          provider,
          persons.flatMap((p) => p.applications.flatMap((a) => (a.jobExternalId ? [a.jobExternalId] : []))),
          tx,
        );
        // Each application with the index of its person; a person skipped writes none.
        const applying = persons.flatMap((p, i) =>
          candidates[i].candidateId && candidates[i].outcome !== 'skipped' ? p.applications.map((a) => ({ a, i })) : [],
        );
        const applications = await store.applications.upsertMany(
          applying.map(({ a, i }) => ({
            candidateId: candidates[i].candidateId as string,
            provider,
            externalId: a.externalId,
            jobId: a.jobExternalId ? jobIds.get(a.jobExternalId) : undefined,
            status: a.status,
            providerStatus: a.providerStatus,
            referrer: a.referrer ?? persons[i].referrer,
            appliedAt: a.appliedAt,
          })),
          tx,
        );
        const written: WrittenPerson[] = candidates.map((candidate) => ({ candidate, changed: false }));
        applying.forEach(({ i }, j) => {
          written[i].firstApplicationId ??= applications[j].id;
          written[i].changed ||= applications[j].outcome !== 'unchanged';
        });
        return written;
      });
    } catch (err) {
      if (err instanceof GoneError && attempts > 1) return this.candidatesAndApplications(persons, attempts - 1);
      throw err;
    }
  }

  /** The person's CV and other files, and their outcome (counted for the page's events). */
  private async finish(
    person: SyncedPerson,
    candidateId: string,
    candidateOutcome: 'created' | 'updated' | 'unchanged',
    applicationsChanged: boolean,
    firstApplicationId: string | undefined,
  ): Promise<RecordOutcome> {
    let changed = candidateOutcome !== 'unchanged' || applicationsChanged;
    const files = [...(person.cv ? [{ kind: 'cv' as const, ...person.cv }] : []), ...(person.documents ?? [])];
    try {
      for (const file of files) {
        const doc = await this.store.documents.put({ candidateId, applicationId: firstApplicationId, ...file });
        changed ||= doc.created;
      }
    } catch (err) {
      // The person was erased between their candidate write and their files: nothing more of them is written.
      if (err instanceof GoneError) return ERASED;
      throw err;
    }
    const outcome = candidateOutcome === 'created' ? 'created' : changed ? 'updated' : 'unchanged';
    if (outcome !== 'unchanged') this.people[outcome].push(candidateId);
    return {
      outcome,
      wrote: { people: [person.externalId], applications: person.applications.map((a) => a.externalId) },
    };
  }
}
