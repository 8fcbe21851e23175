import { nextDailyAt } from '../../src/sync/sweep';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('the daily sweep time', () => {
  it('stays at the local time of day across daylight saving changes', () => {
    // Europe/Warsaw: CET (+1) until 29 March 2026 01:00 UTC, CEST (+2) until 25 October 01:00 UTC.
    expect(iso(nextDailyAt('03:00', 'Europe/Warsaw', at('2026-03-27T12:00:00Z')))).toBe('2026-03-28T02:00:00.000Z');
    expect(iso(nextDailyAt('03:00', 'Europe/Warsaw', at('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(nextDailyAt('03:00', 'Europe/Warsaw', at('2026-10-24T12:00:00Z')))).toBe('2026-10-25T02:00:00.000Z');
    expect(iso(nextDailyAt('03:00', 'America/New_York', at('2026-03-07T12:00:00Z')))).toBe('2026-03-08T07:00:00.000Z');
  });

  it('runs a time the clocks jump over that far past the jump, and a repeated time at its first occurrence', () => {
    expect(iso(nextDailyAt('02:30', 'Europe/Warsaw', at('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    expect(iso(nextDailyAt('02:30', 'Europe/Warsaw', at('2026-10-24T12:00:00Z')))).toBe('2026-10-25T00:30:00.000Z'); // the CEST 02:30
  });

  it('is strictly after the given instant, in zones with half-hour offsets too', () => {
    expect(iso(nextDailyAt('03:00', 'UTC', at('2026-03-07T03:00:00Z')))).toBe('2026-03-08T03:00:00.000Z');
    expect(iso(nextDailyAt('03:00', 'UTC', at('2026-03-07T02:59:59Z')))).toBe('2026-03-07T03:00:00.000Z');
    expect(iso(nextDailyAt('03:00', 'Asia/Kolkata', at('2026-03-07T03:00:00Z')))).toBe('2026-03-07T21:30:00.000Z');
  });
});
