import { ActivityFailure, ApplicationFailure, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { RelayActivities } from '../activities/relay';
import { CONNECTOR_NEEDS_PERSON } from '../src/domain/failures';
import { DeliveryState } from '../src/domain/search-attributes';
import type { DeliveryOutcome, DeliveryRef } from '../src/relay/refs';

const delivery = proxyActivities<RelayActivities>({
  startToCloseTimeout: '5 minutes',
  // The ATS's and the tool's faults (5xx, timeouts) are ridden out for about an hour; refused credentials are not.
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 12,
    nonRetryableErrorTypes: CONNECTOR_NEEDS_PERSON,
  },
});

/**
 * One candidate of the sourcing tool delivered into one ATS recruitment, once: the workflow id is the pair, so a
 * second hand-over joins this run, and a run after it finished finds the work done. Carries ids only: the person
 * waits in the store. Ends with the ATS application id, or why it was refused, recorded on the tool's candidate.
 */
export async function candidateDelivery(ref: DeliveryRef): Promise<DeliveryOutcome> {
  upsertSearchAttributes([{ key: DeliveryState, value: 'pending' }]);
  try {
    const outcome = await delivery.deliverCandidate(ref);
    upsertSearchAttributes([{ key: DeliveryState, value: outcome.outcome }]);
    await delivery.reportDelivery(ref);
    return outcome;
  } catch (err) {
    const reason = messageOf(err);
    await delivery.recordDeliveryFailure(ref, reason);
    upsertSearchAttributes([{ key: DeliveryState, value: 'failed' }]);
    throw ApplicationFailure.nonRetryable(reason, 'DeliveryFailed');
  }
}

function messageOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
