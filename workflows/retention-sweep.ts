import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PrivacyActivities } from '../activities/privacy';
import { idleSince, type RetentionReport } from '../src/privacy/rules';

export interface RetentionInput {
  /** Candidates with no activity for this many months are erased. */
  months: number;
  /** Carried across continue-as-new: the run's cut-off and what it has erased so far. */
  carried?: { idleBefore: number; erased: number; documentsDeleted: number };
}

const privacy = proxyActivities<PrivacyActivities>({
  startToCloseTimeout: '10 minutes',
  // Store faults are ridden out: each batch is idempotent (an erased candidate is no longer idle, nor listed again).
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Candidates erased per activity. */
const BATCH = 100;

/**
 * Retention, as the daily schedule starts it: erases every candidate idle for `months` (by the workflow's clock),
 * batch by batch, drops the applicant's data from deliveries as old that were never taken in (or, for a relay, never
 * delivered), and records what it did in the privacy audit.
 */
export async function retentionSweep(input: RetentionInput): Promise<RetentionReport> {
  const idleBefore = input.carried?.idleBefore ?? idleSince(Date.now(), input.months);
  let erased = input.carried?.erased ?? 0;
  let documentsDeleted = input.carried?.documentsDeleted ?? 0;
  for (;;) {
    const batch = await privacy.eraseIdleCandidates({ idleBefore, limit: BATCH });
    erased += batch.erased;
    documentsDeleted += batch.documentsDeleted;
    if (batch.erased < BATCH) break;
    if (workflowInfo().continueAsNewSuggested)
      return continueAsNew<typeof retentionSweep>({ months: input.months, carried: { idleBefore, erased, documentsDeleted } });
  }
  const { expired, relayExpired } = await privacy.expireStaleDeliveries({ idleBefore });
  const report = {
    months: input.months,
    idleBefore: new Date(idleBefore).toISOString(),
    erased,
    documentsDeleted,
    deliveriesExpired: expired,
    // Absent in results recorded before relays existed.
    relayDeliveriesExpired: relayExpired ?? 0,
  };
  await privacy.recordRetentionRun(report);
  return report;
}
