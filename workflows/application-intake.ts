import { log, proxyLocalActivities, upsertMemo } from '@temporalio/workflow';
import type { IntakeActivities } from '../activities/intake';
import { INTAKE_NOT_STAGED } from '../src/domain/failures';
import { decideIntake, type IntakeOutcome, type IntakeRef } from '../src/intake/rules';

// Local activities: each step is a short write to our own store, so the worker runs them in the workflow task
// (results recorded as markers) instead of a task-queue round trip per step, halving the events per application.
const intake = proxyLocalActivities<IntakeActivities>({
  startToCloseTimeout: '1 minute',
  // Store faults are ridden out (an application is never dropped); a delivery that was never staged is not retried.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [INTAKE_NOT_STAGED],
  },
});

/**
 * One application from a job board, taken in once: the workflow id is the board's application id, so a
 * second delivery joins this run. The application itself waits in the store; this workflow carries ids only.
 */
export async function applicationIntake(ref: IntakeRef): Promise<IntakeOutcome> {
  const facts = await intake.loadIntake(ref);
  if (facts.finished) return facts.finished; // taken in by an earlier run

  const decision = decideIntake(facts);
  if (decision.action === 'reject') {
    upsertMemo({ outcome: 'rejected', reason: decision.reason });
    return finish(ref, { outcome: 'rejected', reason: decision.reason });
  }

  const { candidateId } = await intake.recordCandidate(ref);
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
