import { execFileSync } from 'node:child_process';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { requireBinary } from '../../src/tooling/binaries';
import { testServers } from './env';

/** What the Temporal CLI prints, with every payload decoded from base64, so a search sees what an operator could. */
function shown(args: string[]): string {
  const json = execFileSync(requireBinary('temporal'), [...args, '--address', testServers.temporalAddress(), '--output', 'json'], {
    encoding: 'utf8',
  });
  const decoded: string[] = [];
  // The base64 itself is left out: decoded below, and as text it is noise in which a short name may turn up by chance.
  const shownJson = JSON.parse(json, (key, value) => {
    if ((key === 'data' || key === 'encoding') && typeof value === 'string') {
      decoded.push(Buffer.from(value, 'base64').toString('utf8'));
      return '(decoded below)';
    }
    return value;
  });
  return `${JSON.stringify(shownJson, null, 2)}\n${decoded.join('\n')}`;
}

/**
 * Everything `temporal workflow show` prints for a workflow (its full history: inputs, results, markers, memo
 * upserts, search attributes, failures), with every payload decoded, so a search for a secret sees what an operator could see.
 */
export function shownHistory(workflowId: string): string {
  return shown(['workflow', 'show', '--workflow-id', workflowId]);
}

/** The full history and what `temporal workflow describe` adds (memo and search attributes as they stand now). */
export function shownWorkflow(workflowId: string): string {
  return `${shownHistory(workflowId)}\n${shown(['workflow', 'describe', '--workflow-id', workflowId])}`;
}

/** What `temporal schedule describe` prints of a schedule (its spec and the workflow input it starts with). */
export function shownSchedule(scheduleId: string): string {
  return shown(['schedule', 'describe', '--schedule-id', scheduleId]);
}

/** How many timers a workflow has started and not yet seen fire or cancelled, from its history. */
export async function pendingTimers(handle: WorkflowHandle): Promise<number> {
  const open = new Set<string>();
  for (const e of (await handle.fetchHistory()).events ?? []) {
    if (e.timerStartedEventAttributes) open.add(String(e.timerStartedEventAttributes.timerId));
    const ended = e.timerFiredEventAttributes ?? e.timerCanceledEventAttributes;
    if (ended) open.delete(String(ended.timerId));
  }
  return open.size;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The activities a history ran, in order: scheduled ones by name, local ones (`local:<name>`) from their markers. */
export function activitiesRun(events: HistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (scheduled) return [scheduled];
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const data = marker.details?.data?.payloads?.[0]?.data;
    return data ? [`local:${JSON.parse(Buffer.from(data).toString('utf8')).activity_type}`] : [];
  });
}
