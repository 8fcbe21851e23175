// How a subscription's delivery workflow paces itself. Pure: unit-tested without Temporal, carried across
// continue-as-new as a plain snapshot. Times are ms since the epoch (the workflow's clock).

/** Deliveries attempted in one round (subjects in parallel, each subject's in order). */
export const ROUND_SIZE = 100;
/** A quiet subscription looks for waiting deliveries this often even when nothing wakes it. */
export const IDLE_CHECK_MS = 15 * 60_000;

const FIRST_RETRY_MS = 5_000;
const LONGEST_RETRY_MS = 60 * 60_000;

/** How long after its n-th failed attempt (n ≥ 1) a delivery, or a subscriber that seems down, is tried again: 5 s, ×3 each time, at most an hour. */
export function retryDelayMs(failures: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 3 ** Math.max(0, failures - 1));
}

/** What one round of deliveries came to (the `deliverDue` activity's answer). */
export interface Round {
  /** The subscription was deleted: nothing more goes out. */
  gone: boolean;
  attempted: number;
  delivered: number;
  /** Distinct subjects whose delivery failed this round. */
  failedSubjects: number;
  /** The round took as many as it could: more may be due at once. */
  full: boolean;
  /** Deliveries still waiting, and when the next of them that backs off is due. */
  waiting: number;
  nextDueAt?: number;
}

export interface PacerSnapshot {
  /** Every delivery of the last rounds failed on several subjects: the subscriber seems down and is probed with one. */
  down: boolean;
  failedProbes: number;
  probeAt?: number;
}

/**
 * A subscriber that answers gets rounds back to back while deliveries are due. One that fails on several subjects
 * at once is taken as down: it is then tried with a single delivery, backing off (5 s, 15 s, … an hour), and once
 * that one goes through every waiting delivery is due again, so it receives everything in order. A single subject
 * that keeps failing only holds up itself (its deliveries back off on their own).
 */
export class DeliveryPacer {
  private s: PacerSnapshot;
  /** New deliveries were raised for this subscription (the dispatcher's signal). */
  private woken = false;
  /** An operator asked for a redelivery: try now, even a subscriber that seems down. */
  private urged = false;
  stopped = false;

  constructor(snapshot?: PacerSnapshot) {
    this.s = snapshot ? { ...snapshot } : { down: false, failedProbes: 0 };
  }

  get down(): boolean {
    return this.s.down;
  }

  wake(): void {
    this.woken = true;
  }

  urge(): void {
    this.urged = true;
  }

  stop(): void {
    this.stopped = true;
  }

  /** The next round: a full one, or a single probe of a subscriber that seems down. Signals from now on count for the wait after it. */
  nextRound(): { limit: number; probe: boolean } {
    this.woken = false;
    this.urged = false;
    return this.s.down ? { limit: 1, probe: true } : { limit: ROUND_SIZE, probe: false };
  }

  record(round: Round, now: number): void {
    if (round.attempted === 0) {
      if (round.waiting === 0) this.s = { down: false, failedProbes: 0 }; // nothing left to probe with
      return;
    }
    if (round.delivered > 0) this.s = { down: false, failedProbes: 0 };
    else if (this.s.down || round.failedSubjects >= 2) {
      const failedProbes = this.s.down ? this.s.failedProbes + 1 : 1;
      this.s = { down: true, failedProbes, probeAt: now + retryDelayMs(failedProbes) };
    }
  }

  /** How long to wait before the next round; undefined: until woken (or the idle check). */
  msUntilNextRound(round: Round, now: number): number | undefined {
    if (this.stopped || this.urged) return 0;
    if (this.s.down) return Math.max(0, (this.s.probeAt ?? now) - now);
    if (this.woken || round.full) return 0;
    if (round.nextDueAt !== undefined) return Math.max(0, round.nextDueAt - now);
    return round.waiting > 0 && round.attempted > 0 ? 0 : undefined;
  }

  /** Whether a wait should end early: stopped, urged, or (when not down) new deliveries. */
  get interrupted(): boolean {
    return this.stopped || this.urged || (!this.s.down && this.woken);
  }

  snapshot(): PacerSnapshot {
    return { ...this.s };
  }
}
