import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import { WAKE_EARLY_MS } from '../domain/posting-timing';

/**
 * The SDK's core warns (`[TMPRL1104]`) of a workflow task over 5 s. A posting's task at its wake lasts that long on
 * purpose: its local activity waits out the last `WAKE_EARLY_MS` before settling the posting. Warned of from twice
 * that, so every dense expiry does not print one line a posting while a task slow for another reason still shows.
 */
const TASK_WARN_SECONDS = String((2 * WAKE_EARLY_MS) / 1000);

/** The SDK core's warning threshold for slow workflow tasks, unless set already; read from this process's environment. */
export function warnOfSlowTasksFrom(env: NodeJS.ProcessEnv = process.env): void {
  env.TEMPORAL_WORKFLOW_TASK_DURATION_WARN_SECONDS ??= TASK_WARN_SECONDS;
}

/** Installs the Temporal runtime of this process (once, before any worker or client of the SDK's core). */
export function installRuntime(options: RuntimeOptions): Runtime {
  warnOfSlowTasksFrom();
  return Runtime.install(options);
}
