import type { PageRequest, PageResult, StreamCursor } from './types';

/**
 * The stream's cursor once a page is done: mid-run, the run's next position; after the last page, the new
 * high-water mark (the highest updatedAt seen, else where the window started), no run, and the rules the whole list
 * was read under when the run read it all.
 */
export function cursorAfterPage(
  request: Pick<PageRequest, 'position' | 'highWater' | 'startAt' | 'rules' | 'coversFrom'>,
  page: Pick<PageResult, 'next' | 'maxSeen'>,
): StreamCursor {
  const kept = {
    startAt: request.startAt,
    ...(request.rules !== undefined && { rules: request.rules }),
    ...(request.coversFrom !== undefined && { coversFrom: request.coversFrom }),
  };
  if (page.next) return { highWater: request.highWater, run: page.next, ...kept };
  const seen = Math.max(page.maxSeen ?? -1, request.position.maxSeen ?? -1, request.highWater ?? -1);
  const rules = request.position.rules ?? request.rules;
  return {
    highWater: seen >= 0 ? seen : (request.position.since ?? request.position.until),
    ...kept,
    ...(rules !== undefined && { rules }),
  };
}
