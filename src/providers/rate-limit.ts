/** A clock and a sleep, injectable so the bucket can be tested without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface TokenBucketOptions {
  /** Steady rate: tokens added per second. */
  perSecond: number;
  /** Bucket size: how many requests may go at once after a quiet spell. */
  burst: number;
}

/**
 * A token bucket shared by every request made with one credential: `take()` resolves when a request may go.
 * Waiters are served in order. `holdFor()` stops everyone (e.g. a 429's Retry-After) until the time has passed.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private heldUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly options: TokenBucketOptions,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(options.perSecond > 0) || !(options.burst >= 1)) throw new Error('a token bucket needs perSecond > 0 and burst >= 1');
    this.tokens = options.burst;
    this.updatedAt = clock.now();
  }

  /** Waits for a token; callers are served first come, first served. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn.catch(() => {});
    return turn;
  }

  /** Takes a token if one is there now, without waiting (a server deciding whether to answer 429). */
  tryTake(): boolean {
    const now = this.clock.now();
    if (now < this.heldUntil) return false;
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** No request goes before `ms` from now (the provider asked us to slow down). */
  holdFor(ms: number): void {
    const now = this.clock.now();
    this.refill(now);
    this.heldUntil = Math.max(this.heldUntil, now + ms);
    this.tokens = Math.min(this.tokens, 0);
    this.updatedAt = this.heldUntil;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (now < this.heldUntil) {
        await this.clock.sleep(this.heldUntil - now);
        continue;
      }
      this.refill(now);
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.options.perSecond));
    }
  }

  private refill(now: number) {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.options.burst, this.tokens + elapsed * this.options.perSecond);
    this.updatedAt = now;
  }
}

/** Exponential backoff with full jitter: attempt 1 waits up to `baseMs`, doubling up to `maxMs`. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
