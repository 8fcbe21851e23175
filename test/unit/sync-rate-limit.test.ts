import { backoffMs, type Clock, TokenBucket } from '../../src/providers/rate-limit';

function fakeClock(): Clock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

describe('token bucket', () => {
  it('lets a burst through at once, then paces at the steady rate (Lever: 10/s, bursts of 20)', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ perSecond: 10, burst: 20 }, clock);
    for (let i = 0; i < 20; i++) await bucket.take();
    expect(clock.t).toBe(0);
    for (let i = 0; i < 50; i++) await bucket.take();
    expect(clock.t).toBeGreaterThanOrEqual(4900);
    expect(clock.t).toBeLessThanOrEqual(5100);
  });

  it('answers tryTake like a server deciding on 429', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ perSecond: 10, burst: 2 }, clock);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, false]);
    clock.t += 100;
    expect(bucket.tryTake()).toBe(true);
  });

  it('holds every caller for a Retry-After', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ perSecond: 10, burst: 20 }, clock);
    bucket.holdFor(3000);
    await bucket.take();
    expect(clock.t).toBeGreaterThanOrEqual(3000);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, 500, 15_000, () => 0)).toBe(250);
    expect(backoffMs(3, 500, 15_000, () => 1)).toBe(2000);
    expect(backoffMs(20, 500, 15_000, () => 1)).toBe(15_000);
  });
});
