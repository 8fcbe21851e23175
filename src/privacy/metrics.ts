import type { Metrics } from '../metrics';

/** A record of a person whose data was erased arrived again: refused, or created anew on a new application. */
export function countErasedReturn(
  metrics: Metrics,
  labels: { provider: string; via: 'intake' | 'sync'; action: 'refused' | 'recreated' },
  by = 1,
) {
  metrics.inc(
    'jobrelay_erased_returns_total',
    'Deliveries and synced records of people whose data was erased: refused, or created anew (ERASED_REAPPLY=recreate)',
    labels,
    by,
  );
}

export function countErasure(metrics: Metrics, reason: 'request' | 'retention', by = 1) {
  metrics.inc('jobrelay_candidates_erased_total', 'Candidates whose personal data was erased, by reason', { reason }, by);
}
