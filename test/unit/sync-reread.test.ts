import { rereadRound } from '../../src/sync/connector';

describe('rereadRound: records listed unchanged are read again once a period, spread over it', () => {
  const HOUR = 3_600_000;
  const ids = Array.from({ length: 2000 }, (_, i) => `7000${i}`);
  const start = Date.UTC(2026, 10, 27, 9, 0, 0);
  const due = (from: number, to: number) => ids.filter((id) => rereadRound(id, from, HOUR) !== rereadRound(id, to, HOUR)).length;

  it('moves every record on exactly once in each period', () => {
    for (const id of ids.slice(0, 200)) expect(rereadRound(id, start + HOUR, HOUR) - rereadRound(id, start, HOUR)).toBe(1);
  });

  it('falls due for about a quarter of the records in each quarter of the period (a 15-minute cycle of an hourly re-read)', () => {
    const quarters = [0, 1, 2, 3].map((q) => due(start + (q * HOUR) / 4, start + ((q + 1) * HOUR) / 4));
    expect(quarters.reduce((a, b) => a + b)).toBe(ids.length);
    for (const n of quarters) expect(Math.abs(n - ids.length / 4)).toBeLessThan(ids.length / 20);
    // Two cycles seconds apart find almost nothing due.
    expect(due(start, start + 10_000)).toBeLessThan(20);
  });
});
