import { SweepSettings } from '../domain/connector';
import type { SweepPlan } from './types';

// When a connector's reconciling sweep runs: daily at a local time of day in an IANA time zone. The next time is
// worked out here, outside the workflow (an activity), from the time zone's own rules: a sweep at 03:00
// Europe/Warsaw stays at 03:00 local across daylight saving changes, and the workflow replays the recorded time.

/** The stored sweep settings (or none) as the workflow's plan. */
export function sweepPlanOf(stored: unknown): SweepPlan {
  const parsed = SweepSettings.safeParse(stored ?? {});
  return parsed.success ? parsed.data : SweepSettings.parse({});
}

/**
 * The first instant after `after` whose local time in `timeZone` is `timeOfDay`. A time that does not exist that
 * day (the clocks jump over it) runs at the same distance past the jump (02:30 → 03:30); a time that occurs twice
 * (the clocks go back) runs at its first occurrence.
 */
export function nextDailyAt(timeOfDay: string, timeZone: string, after: number): number {
  const [hour, minute] = timeOfDay.split(':').map(Number);
  const today = localParts(after, timeZone);
  for (let day = 0; day <= 2; day++) {
    const at = instantOf({ year: today.year, month: today.month, day: today.day + day, hour, minute }, timeZone);
    if (at > after) return at;
  }
  throw new Error(`no ${timeOfDay} in ${timeZone} within two days of ${new Date(after).toISOString()}`);
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The UTC instant of a wall-clock time in the zone (see `nextDailyAt` for gaps and repeats). */
function instantOf(wall: WallTime, timeZone: string): number {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const before = offsetAt(naive - 12 * 3_600_000, timeZone);
  const after = offsetAt(naive + 12 * 3_600_000, timeZone);
  const fits = [naive - before, naive - after].filter((t) => offsetAt(t, timeZone) === naive - t).sort((a, b) => a - b);
  return fits[0] ?? naive - before;
}

/** The zone's offset from UTC at an instant, in ms (local = utc + offset). */
function offsetAt(instant: number, timeZone: string): number {
  const p = localParts(instant, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - Math.floor(instant / 60_000) * 60_000;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function localParts(instant: number, timeZone: string): WallTime {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return { year: +parts.year, month: +parts.month, day: +parts.day, hour: +parts.hour, minute: +parts.minute };
}
