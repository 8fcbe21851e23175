import { inOrder } from '../../src/sync/in-order';

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

describe('inOrder (fetch ahead, write in order)', () => {
  it('writes every item in order while fetching ahead, never more than the window at once', async () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    let inFlight = 0;
    let maxAhead = 0;
    let written = 0;
    const started: number[] = [];
    const order: number[] = [];
    await inOrder(
      items,
      4,
      async (i) => {
        started.push(i);
        inFlight += 1;
        maxAhead = Math.max(maxAhead, started.length - written);
        await tick(i % 3 === 0 ? 15 : 1); // some answers come late
        inFlight -= 1;
        return i * 10;
      },
      async (i, result) => {
        expect(result).toBe(i * 10);
        order.push(i);
        // Fetches continue while a write is under way.
        if (i === 0) expect(inFlight).toBeGreaterThan(0);
        await tick();
        written += 1;
      },
    );
    expect(order).toEqual(items);
    expect(started).toEqual(items);
    expect(maxAhead).toBe(4);
  });

  it('on a failed fetch, writes nothing after it and lets the fetches under way finish before failing', async () => {
    const settled: number[] = [];
    const written: number[] = [];
    const run = inOrder(
      [0, 1, 2, 3, 4, 5, 6, 7],
      3,
      async (i) => {
        await tick(i === 2 ? 1 : 20);
        settled.push(i);
        if (i === 2) throw new Error('401');
        return i;
      },
      async (i) => {
        written.push(i);
      },
    );
    await expect(run).rejects.toThrow('401');
    expect(written).toEqual([0, 1]);
    // Every fetch started had finished when the page failed (3 and 4 started while 0 and 1 were written).
    expect(settled.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
  });
});
