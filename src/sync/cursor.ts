import type { PageRequest, PageResult, StreamCursor } from './types';

/**
 * The stream's cursor once a page is done: mid-run, the run's next position; after the last page, the new
 * high-water mark (the highest updatedAt seen, else where the window started) and no run.
 */
export function cursorAfterPage(
  request: Pick<PageRequest, 'position' | 'highWater' | 'startAt'>,
  page: Pick<PageResult, 'next' | 'maxSeen'>,
): StreamCursor {
  if (page.next) return { highWater: request.highWater, run: page.next, startAt: request.startAt };
  const seen = Math.max(page.maxSeen ?? -1, request.position.maxSeen ?? -1, request.highWater ?? -1);
  return { highWater: seen >= 0 ? seen : (request.position.since ?? request.position.until), startAt: request.startAt };
}
