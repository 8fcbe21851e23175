import { Context } from '@temporalio/activity';
import type { Deps } from '../src/deps';
import { createDataProtection } from '../src/privacy/erasure';
import { countErasure } from '../src/privacy/metrics';
import type { RetentionReport } from '../src/privacy/rules';

/** Retention's hands: erase idle candidates a batch at a time, and record what a run did. */
export function createPrivacyActivities({ store, metrics }: Pick<Deps, 'store' | 'metrics'>) {
  const protection = createDataProtection(store);
  return {
    /** Erases up to `limit` candidates idle since before `idleBefore` (ms); those already erased are not idle. */
    async eraseIdleCandidates({ idleBefore, limit }: { idleBefore: number; limit: number }) {
      const ids = await store.privacy.idleCandidates(new Date(idleBefore), limit);
      let documentsDeleted = 0;
      for (const id of ids) {
        const report = await protection.erase(id, 'retention', 'retention');
        documentsDeleted += report.erased.documents ?? 0;
        countErasure(metrics, 'retention');
        Context.current().heartbeat();
      }
      return { erased: ids.length, documentsDeleted };
    },

    /**
     * Deliveries received before `idleBefore` (ms) and never taken in (failed, kept for replay) lose the applicant's
     * data; so do relay deliveries refused or failed before it (never delivered, kept for a retry).
     */
    async expireStaleDeliveries({ idleBefore }: { idleBefore: number }): Promise<{ expired: number; relayExpired: number }> {
      return {
        expired: await store.intake.expireUnprocessed(new Date(idleBefore)),
        relayExpired: await store.relay.expireUndelivered(new Date(idleBefore)),
      };
    },

    /** The run's report in the privacy audit (once per run, whatever the retries) and the counters. */
    async recordRetentionRun(report: RetentionReport): Promise<void> {
      const { info } = Context.current();
      const run = info.workflowExecution?.runId ?? info.activityId;
      const recorded = await store.privacy.record({
        id: `aud_retention_${run}`,
        action: 'retention',
        actor: 'retention',
        details: { ...report },
      });
      if (recorded) metrics.inc('jobrelay_retention_runs_total', 'Retention runs finished');
    },
  };
}

export type PrivacyActivities = ReturnType<typeof createPrivacyActivities>;
