import type { PhoneCountry } from '../domain/phone';
import type { Metrics } from '../metrics';
import { createDataProtection, type ErasureReport, type SubjectExport } from '../privacy/erasure';
import { createIdentityRequests, type SubjectIdentity } from '../privacy/identity-requests';
import { countErasure } from '../privacy/metrics';
import type { Store } from '../store';
import type { PageRequest } from '../store/paging';
import type { AuditAction } from '../store/privacy';
import type { RetentionScheduleClient } from '../temporal/privacy';

/** What the privacy routes call: erasure, subject-access export, the audit log and retention. */
export function createPrivacyService(
  store: Store,
  deps: { metrics: Metrics; retention: RetentionScheduleClient; retentionMonths?: number; defaultPhoneCountry: PhoneCountry },
) {
  const protection = createDataProtection(store);
  const byIdentity = createIdentityRequests(store, protection, deps.defaultPhoneCountry);
  return {
    async erase(candidateId: string, actor: string): Promise<ErasureReport> {
      const report = await protection.erase(candidateId, actor, 'request');
      if (Object.keys(report.erased).length > 0) countErasure(deps.metrics, 'request');
      return report;
    },

    async exportOf(candidateId: string, actor: string, documents: 'attached' | 'linked'): Promise<SubjectExport> {
      const result = await protection.exportOf(candidateId, actor, { documents });
      deps.metrics.inc('jobrelay_subject_exports_total', 'Subject-access exports made');
      return result;
    },

    /** A data subject named by their email, or phone + surname: who they are here, and what else holds them. */
    findSubject: (identity: SubjectIdentity) => byIdentity.find(identity),

    async eraseSubject(identity: SubjectIdentity, actor: string) {
      const report = await byIdentity.erase(identity, actor);
      for (const c of report.candidates) if (Object.keys(c.erased).length > 0) countErasure(deps.metrics, 'request');
      return report;
    },

    async exportSubject(identity: SubjectIdentity, actor: string, documents: 'attached' | 'linked') {
      const result = await byIdentity.exportOf(identity, actor, { documents });
      deps.metrics.inc('jobrelay_subject_exports_total', 'Subject-access exports made');
      return result;
    },

    audit: (filter: PageRequest & { action?: AuditAction; candidateId?: string }) => store.privacy.list(filter),

    /** Retention as configured, its schedule, and what its last runs did. */
    async retention() {
      const runs = await store.privacy.list({ action: 'retention', limit: 10 });
      return { months: deps.retentionMonths ?? null, schedule: (await deps.retention.describe()) ?? null, runs: runs.items };
    },

    runRetention: () => deps.retention.trigger().then(() => ({ scheduleId: deps.retention.scheduleId })),
  };
}

export type PrivacyService = ReturnType<typeof createPrivacyService>;
