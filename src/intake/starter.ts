import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { IntakeWorkflows } from '../temporal/intake';
import type { IntakeRef } from './rules';

export interface IntakeStarterOptions {
  workflows: IntakeWorkflows;
  logger: Logger;
  metrics: Metrics;
  /** Intakes in hand at once (see `holdUntilFinishedMs`); the rest wait their turn, in order. */
  concurrency?: number;
  /**
   * When the worker runs in this process: a slot is held until the intake's workflow has closed (or this long at
   * most), so at most `concurrency` intakes run here at once and the webhook's answers keep the event loop and the
   * store's connection. Unset (a worker elsewhere): a slot is held for the start only.
   */
  holdUntilFinishedMs?: number;
  /** Whether that worker is running: while it is not (stopped, shutting down), starts are not held, and Temporal keeps them. */
  workerRunning?: () => boolean;
  /** How long a start Temporal refuses is tried again here before it is left to the intake sweep. */
  retryForMs?: number;
}

interface Waiting {
  ref: IntakeRef;
  jobId: string;
  since: number;
  attempt: number;
}

/**
 * Starts the intake workflows of staged deliveries once the webhook has answered. The answer waits for the
 * staging insert only: the delivery is durable by then, so its intake follows whatever happens next. Under a burst
 * the deliveries wait here (ids only) and are taken in at the rate the machine can; the same application queued
 * twice (a duplicate delivery, or the sweep finding one still waiting) is started once. A start Temporal refuses is
 * tried again with backoff; one this process could not start (it stopped, or Temporal stayed away) is started by the
 * intake sweep, which finds every staged delivery no workflow has finished.
 */
export function createIntakeStarter({
  workflows,
  logger,
  metrics,
  concurrency = 32,
  holdUntilFinishedMs,
  workerRunning = () => true,
  retryForMs = 2 * 60_000,
}: IntakeStarterOptions) {
  const queue: Waiting[] = [];
  /** Applications queued, waiting for a retry or in hand: a second `start` of one of them changes nothing. */
  const known = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let running = 0;
  let stopped = false;
  let onStop: () => void = () => undefined;
  const stopping = new Promise<void>((resolve) => {
    onStop = resolve;
  });

  const keyOf = (ref: IntakeRef) => `${ref.provider}:${ref.applicationId}`;

  function pump(): void {
    while (!stopped && running < concurrency && queue.length > 0) {
      const next = queue.shift()!;
      running++;
      const started: Promise<void> = take(next).finally(() => {
        running--;
        inFlight.delete(started);
        pump();
      });
      inFlight.add(started);
    }
  }

  async function take(next: Waiting): Promise<void> {
    try {
      await workflows.start(next.ref, { jobId: next.jobId });
    } catch (err) {
      return retryLater(next, err as Error);
    }
    // Stopping lets go at once: the process is going, and its hold only paced this process's own work.
    if (holdUntilFinishedMs && workerRunning()) await Promise.race([workflows.finished(next.ref, holdUntilFinishedMs), stopping]);
    known.delete(keyOf(next.ref));
  }

  function retryLater(start: Waiting, err: Error): void {
    if (stopped) return;
    const delay = Math.min(10_000, 250 * 2 ** start.attempt);
    const givenUp = Date.now() + delay - start.since > retryForMs;
    metrics.inc('jobrelay_intake_workflow_starts_refused_total', 'Intake workflow starts Temporal refused, by what came next', {
      next: givenUp ? 'left to the sweep' : 'retried',
    });
    if (givenUp) {
      known.delete(keyOf(start.ref));
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
    /** Queues the start of a staged delivery's workflow (once while it is queued or in hand); never throws. */
    start(ref: IntakeRef, context: { jobId: string }): void {
      if (stopped || known.has(keyOf(ref))) return;
      known.add(keyOf(ref));
      queue.push({ ref, jobId: context.jobId, since: Date.now(), attempt: 0 });
      pump();
    },
    /** Deliveries waiting for their turn (not yet started). */
    waiting: () => queue.length,
    /** Drops what is queued (the sweep starts it later) and waits for the starts in flight, before the client closes. */
    async stop(): Promise<void> {
      stopped = true;
      onStop();
      queue.length = 0;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}

export type IntakeStarter = ReturnType<typeof createIntakeStarter>;
