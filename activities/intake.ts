import { ApplicationFailure } from '@temporalio/common';
import { boardIntake } from '../src/boards/registry';
import type { Deps } from '../src/deps';
import type { CandidateFields } from '../src/domain/candidate';
import { GoneError } from '../src/domain/errors';
import { INTAKE_ERASED, INTAKE_NOT_STAGED, INTAKE_REFUSED } from '../src/domain/failures';
import { applicationCreated } from '../src/events/catalog';
import { inspectCv } from '../src/intake/cv-type';
import {
  type CvVerdict,
  decideIntake,
  type IntakeFacts,
  type IntakeOutcome,
  type IntakeRef,
  NEW_APPLICATION_STATUS,
} from '../src/intake/rules';
import { countErasedReturn } from '../src/privacy/metrics';
import { phoneCountryOf } from '../src/providers';
import { inputFault } from '../src/store/errors';
import { recordedOutcome, type StagedDelivery } from '../src/store/intake';

/** What `loadIntake` tells the workflow: facts only, and the recorded outcome when this application was already taken in. */
export interface IntakeLoaded extends IntakeFacts {
  finished?: IntakeOutcome;
}

/**
 * The intake workflow's hands. Each reads the staged delivery from the store (the workflow carries ids only)
 * and writes with an upsert on a natural key, so a retry or a second run finds its work done.
 */
export function createIntakeActivities({ store, metrics, config }: Pick<Deps, 'store' | 'metrics' | 'config'>) {
  async function staged(ref: IntakeRef): Promise<StagedDelivery> {
    const delivery = await store.intake.get(ref);
    if (!delivery) throw ApplicationFailure.nonRetryable(`no staged application ${ref.provider}:${ref.applicationId}`, INTAKE_NOT_STAGED);
    return delivery;
  }

  /** The staged delivery a step writes from; one erased meanwhile (its applicant's data is gone) ends the intake. */
  async function writable(ref: IntakeRef): Promise<StagedDelivery> {
    const delivery = await staged(ref);
    if (delivery.state === 'skipped') throw erasedMeanwhile();
    return delivery;
  }

  /** The board's intake, and the staged application as the board described it. */
  function read(ref: IntakeRef, delivery: StagedDelivery) {
    const intake = boardIntake(ref.provider);
    if (!intake) throw ApplicationFailure.nonRetryable(`${ref.provider} delivers no applications`, INTAKE_NOT_STAGED);
    const application = intake.application.safeParse(delivery.payload);
    if (!application.success) {
      // Field names only: the values are personal data, and this message lands in workflow history.
      const fields = application.error.issues.map((i) => i.path.join('.')).join(', ');
      throw ApplicationFailure.nonRetryable(`the staged application does not read back (${fields})`, INTAKE_NOT_STAGED);
    }
    return { intake, ...application.data };
  }

  /** The same person by email, else by phone and surname; undefined when the person was erased and stays so. */
  async function writeCandidate(ref: IntakeRef, referrer: string, candidate: CandidateFields): Promise<string | undefined> {
    const written = await refusalIsFinal(
      store.candidates.upsertFromSource({
        source: { provider: ref.provider, externalId: ref.applicationId, referrer },
        fields: { ...candidate, phoneCountry: phoneCountryOf(ref.provider, config.defaultPhoneCountry) },
        matchBy: ['email', 'phone+surname'],
        createIfUnknown: true,
        applicationIds: [ref.applicationId],
      }),
    );
    if (written.reason === 'erased') {
      countErasedReturn(metrics, { provider: ref.provider, via: 'intake', action: 'refused' });
      return undefined;
    }
    if (!written.candidateId) throw new Error('the candidate was not created'); // createIfUnknown: cannot happen
    if (written.returned) countErasedReturn(metrics, { provider: ref.provider, via: 'intake', action: 'recreated' });
    return written.candidateId;
  }

  /** The application against the posting's job, once per (provider, application id). */
  async function writeApplication(ref: IntakeRef, delivery: StagedDelivery, candidateId: string, referrer: string, appliedAt?: string) {
    const { application } = await refusalIsFinal(
      store.applications.upsert({
        candidateId,
        provider: ref.provider,
        externalId: ref.applicationId,
        jobId: delivery.jobId,
        postingId: delivery.postingId,
        status: NEW_APPLICATION_STATUS,
        referrer,
        appliedAt: appliedAt ?? delivery.receivedAt,
        late: delivery.late,
      }),
    );
    return application;
  }

  /** `delivery`: its posting and job, when the caller has read them already. */
  async function finish(
    ref: IntakeRef,
    outcome: IntakeOutcome,
    delivery?: Pick<StagedDelivery, 'postingId' | 'jobId'>,
  ): Promise<IntakeOutcome> {
    await announce(ref, outcome, delivery);
    await store.intake.finish(ref, outcome);
    metrics.inc('jobrelay_applications_total', 'Applications taken in from job boards, by outcome', {
      provider: ref.provider,
      outcome: outcome.outcome,
    });
    return outcome;
  }

  /** `application.created`, raised before the intake is marked finished: a later run that finds it finished finds it raised. */
  async function announce(ref: IntakeRef, outcome: IntakeOutcome, delivery?: Pick<StagedDelivery, 'postingId' | 'jobId'>): Promise<void> {
    if (outcome.outcome === 'recorded') await store.events.raise(applicationCreated(ref, outcome, delivery ?? (await staged(ref))));
  }

  /**
   * The staged CV made the candidate's document (once per candidate and file), linked to the application: its bytes
   * were stored when the delivery was staged and are not written again. Typed by its bytes, not by what was declared.
   */
  async function takeCv(delivery: StagedDelivery, verdict: CvVerdict, candidateId: string, applicationId: string) {
    if (verdict.kind !== 'acceptable' || !delivery.cv?.documentId) return undefined;
    return refusalIsFinal(
      store.documents.takeStagedCv(
        { documentId: delivery.cv.documentId, sha256: delivery.cv.sha256 },
        { candidateId, applicationId, contentType: verdict.contentType },
      ),
    );
  }

  async function cvOf(ref: IntakeRef, delivery: StagedDelivery) {
    const content = delivery.cv && (await store.intake.cvContent(ref));
    return delivery.cv && content ? { ...delivery.cv, content } : undefined;
  }

  return {
    /**
     * The whole intake in one step: the staged delivery read once (CV included), the decision, the candidate, the
     * application and the CV, then the outcome recorded. Each write is an upsert on its natural key, so a retry
     * (or a run after a crash) finds done what was done and finishes the rest.
     */
    async takeIn(ref: IntakeRef): Promise<IntakeOutcome> {
      const delivery = await staged(ref);
      const finished = recordedOutcome(delivery);
      if (finished) return finished; // taken in by an earlier run
      // The webhook looked at the CV's bytes when it staged them; deliveries staged before it kept what it saw are looked at again.
      const verdict = delivery.cv?.verdict ?? inspectCv(await cvOf(ref, delivery));
      const decision = decideIntake({ cvRequired: delivery.cvRequired, cv: verdict });
      if (decision.action === 'reject') return finish(ref, { outcome: 'rejected', reason: decision.reason });

      const { intake, candidate, appliedAt } = read(ref, delivery);
      const candidateId = await writeCandidate(ref, intake.referrer, candidate);
      if (!candidateId) return finish(ref, { outcome: 'skipped', reason: 'erased' });
      const application = await writeApplication(ref, delivery, candidateId, intake.referrer, appliedAt);
      const document = decision.storeCv ? await takeCv(delivery, verdict, candidateId, application.id) : undefined;
      return finish(
        ref,
        {
          outcome: 'recorded',
          candidateId,
          applicationId: application.id,
          ...(document && { documentId: document.id }),
          late: delivery.late,
          ...(decision.cvNote && { cvNote: decision.cvNote }),
        },
        delivery,
      );
    },

    /** The staged application's facts: its posting and job, lateness, whether a CV is required, and what the CV is. */
    async loadIntake(ref: IntakeRef): Promise<IntakeLoaded> {
      const delivery = await staged(ref);
      const facts: IntakeLoaded = {
        postingId: delivery.postingId,
        jobId: delivery.jobId,
        late: delivery.late,
        cvRequired: delivery.cvRequired,
        cv: inspectCv(await cvOf(ref, delivery)),
      };
      const finished = recordedOutcome(delivery);
      return finished ? { ...facts, finished } : facts;
    },

    /**
     * The same person by email, else by phone and surname; created or filled in with the board's fields only.
     * A person whose data was erased is refused (`refused: erased`) unless ERASED_REAPPLY lets this new application create them again.
     */
    async recordCandidate(ref: IntakeRef): Promise<{ candidateId?: string; refused?: 'erased' }> {
      const delivery = await staged(ref);
      if (delivery.state === 'skipped') return { refused: 'erased' }; // finished by the erasure itself
      const { intake, candidate } = read(ref, delivery);
      const candidateId = await writeCandidate(ref, intake.referrer, candidate);
      if (!candidateId) return { refused: 'erased' };
      await store.intake.note(ref, { candidateId });
      return { candidateId };
    },

    /** The application against the posting's job, once per (provider, application id). */
    async recordApplication(ref: IntakeRef, candidateId: string): Promise<{ applicationId: string }> {
      const delivery = await writable(ref);
      const { intake, appliedAt } = read(ref, delivery);
      const application = await writeApplication(ref, delivery, candidateId, intake.referrer, appliedAt);
      await store.intake.note(ref, { applicationId: application.id });
      return { applicationId: application.id };
    },

    /** The CV as the candidate's document (once per candidate and file), typed by its bytes, not by what was declared. */
    async storeCv(ref: IntakeRef, candidateId: string, applicationId: string): Promise<{ documentId?: string }> {
      const delivery = await writable(ref);
      if (delivery.documentId) return { documentId: delivery.documentId };
      if (!delivery.cv?.documentId) return {}; // finished by an earlier run, or a CV the webhook refused: nothing to store
      const document = await takeCv(delivery, delivery.cv.verdict ?? inspectCv(await cvOf(ref, delivery)), candidateId, applicationId);
      if (!document) return {};
      await store.intake.note(ref, { documentId: document.id });
      return { documentId: document.id };
    },

    /** The intake failed for good: the delivery stays staged (CV included) with the reason, for an operator to replay. */
    async failIntake(ref: IntakeRef, reason: string): Promise<void> {
      await store.intake.fail(ref, reason);
      metrics.inc('jobrelay_applications_total', 'Applications taken in from job boards, by outcome', {
        provider: ref.provider,
        outcome: 'failed',
      });
    },

    /** Records the outcome on the staged delivery and drops its CV bytes. */
    async finishIntake(ref: IntakeRef, outcome: IntakeOutcome): Promise<void> {
      await finish(ref, outcome);
    },
  };
}

export type IntakeActivities = ReturnType<typeof createIntakeActivities>;

const erasedMeanwhile = () =>
  ApplicationFailure.nonRetryable('the applicant’s data was erased while the application was being taken in', INTAKE_ERASED);

/**
 * A write the store refused is never retried: for the application's own values (NUL, an index row over 8 KiB) the
 * same values would fail again, and a candidate erased meanwhile stays erased.
 */
async function refusalIsFinal<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof GoneError) throw erasedMeanwhile();
    if (inputFault(err))
      throw ApplicationFailure.nonRetryable(`the store refused the application: ${(err as Error).message}`, INTAKE_REFUSED);
    throw err;
  }
}
