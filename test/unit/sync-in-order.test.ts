import { inOrder } from '../../src/sync/in-order';

// Every fetch and write is a promise the test settles itself, so each step is asserted, not raced against timers.

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every promise callback that can run, run. */
const settle = () => new Promise((r) => setImmediate(r));

function harness(count: number, window: number) {
  const fetches = new Map<number, Deferred<number>>();
  const writes = new Map<number, Deferred<void>>();
  const written: Array<[number, number]> = [];
  let outcome: 'running' | 'done' | Error = 'running';
  const items = Array.from({ length: count }, (_, i) => i);
  inOrder(
    items,
    window,
    (i) => {
      fetches.set(i, deferred());
      return fetches.get(i)!.promise;
    },
    (i, result) => {
      written.push([i, result]);
      writes.set(i, deferred());
      return writes.get(i)!.promise;
    },
  ).then(
    () => {
      outcome = 'done';
    },
    (err: Error) => {
      outcome = err;
    },
  );
  return { fetches, writes, written, started: () => [...fetches.keys()], outcome: () => outcome };
}

describe('inOrder (fetch ahead, write in order)', () => {
  it('fetches a window ahead, writes in order as results come, and keeps fetching while a write is under way', async () => {
    const h = harness(6, 3);
    await settle();
    expect(h.started()).toEqual([0, 1, 2]);

    h.fetches.get(2)?.resolve(20);
    h.fetches.get(1)?.resolve(10);
    await settle();
    expect(h.written).toEqual([]); // 1 and 2 wait for 0: nothing is written out of order
    expect(h.started()).toEqual([0, 1, 2]); // and nothing more is fetched: the window is full

    h.fetches.get(0)?.resolve(0);
    await settle();
    expect(h.written).toEqual([[0, 0]]);
    h.writes.get(0)?.resolve();
    await settle();
    // 0 written: the window moves on (3 is fetched) while 1 is being written.
    expect(h.started()).toEqual([0, 1, 2, 3]);
    expect(h.written).toEqual([
      [0, 0],
      [1, 10],
    ]);

    for (let i = 1; i < 6; i++) {
      h.fetches.get(i)?.resolve(i * 10);
      await settle();
      h.writes.get(i)?.resolve();
      await settle();
    }
    expect(h.outcome()).toBe('done');
    expect(h.written).toEqual([0, 1, 2, 3, 4, 5].map((i) => [i, i * 10]));
  });

  it('on a failed fetch, writes nothing after it and fails only once the fetches under way have finished', async () => {
    const h = harness(8, 3);
    await settle();
    h.fetches.get(2)?.reject(new Error('401'));
    for (const i of [0, 1]) {
      h.fetches.get(i)?.resolve(i);
      await settle();
      h.writes.get(i)?.resolve();
      await settle();
    }
    // Item 2 is next and failed; 3 and 4 were fetched meanwhile and are still under way.
    expect(h.started()).toEqual([0, 1, 2, 3, 4]);
    expect(h.outcome()).toBe('running');
    h.fetches.get(3)?.resolve(3);
    await settle();
    expect(h.outcome()).toBe('running');
    h.fetches.get(4)?.resolve(4);
    await settle();
    expect(h.outcome()).toEqual(new Error('401'));
    expect(h.written).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });
});
