// A provider's page helper: fetch ahead, write in order. No Temporal or store imports here.

/**
 * Fetches ahead and writes in order: while item i is written, the fetches of the next ones are already under way
 * (at most `window` items fetched or waiting to be written at a time, which bounds what is held in memory), so
 * network waits and retries overlap with the writes instead of stalling a whole batch. On a failure, the fetches
 * already under way are let finish before it is thrown: a failed page leaves no request of its own running while
 * Temporal retries it.
 */
export async function inOrder<T, R>(
  items: T[],
  window: number,
  fetch: (item: T) => Promise<R>,
  write: (item: T, result: R) => Promise<void>,
): Promise<void> {
  const fetches: Array<Promise<R>> = [];
  const fill = (written: number) => {
    while (fetches.length < items.length && fetches.length < written + window) {
      const next = fetch(items[fetches.length]);
      next.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
      fetches.push(next);
    }
  };
  try {
    for (let i = 0; i < items.length; i++) {
      fill(i);
      await write(items[i], await fetches[i]);
    }
  } catch (err) {
    await Promise.allSettled(fetches);
    throw err;
  }
}
