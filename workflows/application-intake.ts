import { ApplicationFailure, isCancellation, log, patched, proxyLocalActivities, upsertMemo } from '@temporalio/workflow';
import type { IntakeActivities } from '../activities/intake';
import { INTAKE_NOT_STAGED, INTAKE_REFUSED } from '../src/domain/failures';
import { decideIntake, type IntakeOutcome, type IntakeRef } from '../src/intake/rules';

// Local activities: each step is a short write to our own store, so the worker runs them in the workflow task
// (results recorded as markers) instead of a task-queue round trip per step, halving the events per application.
const intake = proxyLocalActivities<IntakeActivities>({
  startToCloseTimeout: '1 minute',
  // Store faults are ridden out for a while (about ten minutes); values the store refuses, or a delivery that was
  // never staged, are not retried. A run that gives up leaves the delivery staged: `failed` when it can say so, else
  // still `received`, which the intake sweep starts again later. Nothing is dropped and nothing retries for ever.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 15,
    nonRetryableErrorTypes: [INTAKE_NOT_STAGED, INTAKE_REFUSED],
  },
});

/** Recording the failure itself rides out a longer store outage. */
const record = proxyLocalActivities<IntakeActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30 },
});

/**
 * One application from a job board, taken in once: the workflow id is the board's application id, so a
 * second delivery joins this run. The application itself waits in the store; this workflow carries ids only.
 */
export async function applicationIntake(ref: IntakeRef): Promise<IntakeOutcome> {
  try {
    return await takeIn(ref);
  } catch (err) {
    if (isCancellation(err)) throw err;
    // Visible to the operator: the delivery's state and reason, a metric, and this run failed with the reason.
    const reason = causeOf(err);
    await record.failIntake(ref, reason);
    upsertMemo({ outcome: 'failed', reason });
    throw ApplicationFailure.nonRetryable(`application not taken in: ${reason}`, 'IntakeFailed');
  }
}

async function takeIn(ref: IntakeRef): Promise<IntakeOutcome> {
  if (patched('intake-in-one-step')) {
    // One local activity for the whole intake: one read of the staged delivery and one workflow activation
    // instead of five, which is what lets a burst of deliveries keep pace with the board.
    const outcome = await intake.takeIn(ref);
    remember(outcome);
    log.info('application taken in', { outcome: outcome.outcome, reason: outcome.reason });
    return outcome;
  }
  return takeInStepByStep(ref);
}

/** What an operator sees on the run in the Temporal UI: why it was rejected or skipped, or why its CV was left out. */
function remember({ outcome, reason, cvNote }: IntakeOutcome): void {
  if (outcome !== 'recorded') upsertMemo({ outcome, reason });
  else if (cvNote) upsertMemo({ cvNote });
}

/** Histories started before `intake-in-one-step`: a local activity a step. */
async function takeInStepByStep(ref: IntakeRef): Promise<IntakeOutcome> {
  const facts = await intake.loadIntake(ref);
  if (facts.finished) return facts.finished; // taken in by an earlier run

  const decision = decideIntake(facts);
  if (decision.action === 'reject') {
    upsertMemo({ outcome: 'rejected', reason: decision.reason });
    return finish(ref, { outcome: 'rejected', reason: decision.reason });
  }

  const { candidateId, refused } = await intake.recordCandidate(ref);
  if (!candidateId) {
    // The applicant's data was erased earlier: erasure sticks, so nothing is taken in (ERASED_REAPPLY decides).
    upsertMemo({ outcome: 'skipped', reason: refused });
    return finish(ref, { outcome: 'skipped', reason: refused });
  }
  const { applicationId } = await intake.recordApplication(ref, candidateId);
  const { documentId } = decision.storeCv ? await intake.storeCv(ref, candidateId, applicationId) : { documentId: undefined };
  if (decision.cvNote) upsertMemo({ cvNote: decision.cvNote });

  return finish(ref, {
    outcome: 'recorded',
    candidateId,
    applicationId,
    ...(documentId && { documentId }),
    late: facts.late,
    ...(decision.cvNote && { cvNote: decision.cvNote }),
  });
}

async function finish(ref: IntakeRef, outcome: IntakeOutcome): Promise<IntakeOutcome> {
  await intake.finishIntake(ref, outcome);
  log.info('application taken in', { outcome: outcome.outcome, reason: outcome.reason });
  return outcome;
}

/** The innermost message of an activity failure: what went wrong, not how it travelled. */
function causeOf(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}
