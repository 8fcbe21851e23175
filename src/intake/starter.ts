import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { IntakeWorkflows } from '../temporal/intake';
import type { IntakeRef } from './rules';

export interface IntakeStarterOptions {
  workflows: IntakeWorkflows;
  logger: Logger;
  metrics: Metrics;
  /** Starts in flight at once; the rest wait their turn. */
  concurrency?: number;
  /** How long a start Temporal refuses is tried again here before it is left to the intake sweep. */
  retryForMs?: number;
}

/**
 * Starts the intake workflows of staged deliveries once the webhook has answered. The answer waits for the
 * staging insert only: the delivery is durable by then, so its intake follows whatever happens next. A start
 * Temporal refuses is tried again with backoff; one this process could not start (it stopped, or Temporal stayed
 * away) is started by the intake sweep, which finds every staged delivery no workflow has finished.
 */
export function createIntakeStarter({ workflows, logger, metrics, concurrency = 32, retryForMs = 2 * 60_000 }: IntakeStarterOptions) {
  const queue: Array<{ ref: IntakeRef; jobId: string; since: number; attempt: number }> = [];
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let running = 0;
  let stopped = false;

  function pump(): void {
    while (!stopped && running < concurrency && queue.length > 0) {
      const next = queue.shift()!;
      running++;
      const started: Promise<void> = workflows
        .start(next.ref, { jobId: next.jobId })
        .then(
          () => undefined,
          (err: Error) => retryLater(next, err),
        )
        .finally(() => {
          running--;
          inFlight.delete(started);
          pump();
        });
      inFlight.add(started);
    }
  }

  function retryLater(start: (typeof queue)[number], err: Error): void {
    if (stopped) return;
    const delay = Math.min(10_000, 250 * 2 ** start.attempt);
    const givenUp = Date.now() + delay - start.since > retryForMs;
    metrics.inc('jobrelay_intake_workflow_starts_refused_total', 'Intake workflow starts Temporal refused, by what came next', {
      next: givenUp ? 'left to the sweep' : 'retried',
    });
    if (givenUp) {
      logger.warn({ ...start.ref, err: err.message }, 'intake workflow not started; the intake sweep will start it');
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      queue.push({ ...start, attempt: start.attempt + 1 });
      pump();
    }, delay);
    timer.unref();
    timers.add(timer);
  }

  return {
    /** Queues the start of a staged delivery's workflow; never throws. */
    start(ref: IntakeRef, context: { jobId: string }): void {
      if (stopped) return;
      queue.push({ ref, jobId: context.jobId, since: Date.now(), attempt: 0 });
      pump();
    },
    /** Drops what is queued (the sweep starts it later) and waits for the starts in flight, before the client closes. */
    async stop(): Promise<void> {
      stopped = true;
      queue.length = 0;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}

export type IntakeStarter = ReturnType<typeof createIntakeStarter>;
