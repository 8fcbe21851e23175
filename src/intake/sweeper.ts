import type { Logger } from '../logger';
import type { Store } from '../store';
import type { IntakeStarter } from './starter';

export interface SweeperOptions {
  store: Store;
  /** The sweep's finds join the starter's queue: they are started at its pace, and once each. */
  starter: Pick<IntakeStarter, 'start'>;
  logger: Logger;
  /** A delivery this old with no finished workflow is (re)started. */
  graceMs: number;
  everyMs: number;
}

/**
 * A delivery is staged before its workflow starts; if Temporal refused the start (we answered 503) and the board
 * never delivered again, the application would wait forever. The sweep starts those workflows: the start is
 * idempotent (a running one is joined, a finished one is left alone), so any number of API processes may sweep.
 */
export async function sweepWaitingDeliveries({ store, starter, graceMs }: Omit<SweeperOptions, 'everyMs' | 'logger'>): Promise<number> {
  const waiting = await store.intake.listWaiting(new Date(Date.now() - graceMs));
  for (const { jobId, ...ref } of waiting) starter.start(ref, { jobId });
  return waiting.length;
}

export function startSweeper(options: SweeperOptions): () => void {
  const sweep = (graceMs: number) =>
    sweepWaitingDeliveries({ ...options, graceMs })
      .then((n) => n > 0 && options.logger.info({ restarted: n }, 'intake sweep queued waiting deliveries'))
      .catch((err) => options.logger.warn({ err: (err as Error).message }, 'intake sweep failed; next one will try again'));
  // What a process that died left waiting (answered 200, its workflow not started, perhaps a burst's backlog) goes
  // at once, not after the grace and the interval; a delivery another process is starting right now is joined.
  void sweep(0);
  const timer = setInterval(() => sweep(options.graceMs), options.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
