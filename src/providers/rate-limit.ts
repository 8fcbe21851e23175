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

  /** Whole tokens there now (e.g. a server's `X-RateLimit-Remaining`). */
  available(): number {
    const now = this.clock.now();
    if (now < this.heldUntil) return 0;
    this.refill(now);
    return Math.max(0, this.tokens);
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

/**
 * At most `limit` requests under way at once (a provider's concurrency limit): `acquire()` resolves with the function
 * that frees the slot. Waiters are served in order.
 */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new Error('a concurrency gate needs limit >= 1');
  }

  async acquire(): Promise<() => void> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next)
        next(); // the slot passes straight to the next waiter
      else this.running -= 1;
    };
  }

  get inFlight(): number {
    return this.running;
  }
}

/** A provider's limit on one endpoint (or family of endpoints) for one credential. */
export interface EndpointLimit extends TokenBucketOptions {
  /** Requests that may be under way at once; unset = no limit beyond the rate. */
  concurrency?: number;
}

/**
 * The limits of one credential where the provider counts each endpoint on its own (SmartRecruiters: 10 requests/s
 * per endpoint, 8 at once, one at a time on GET /candidates): a token bucket and a concurrency gate per family.
 */
export class EndpointLimits {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly gates = new Map<string, ConcurrencyGate>();

  constructor(
    readonly limits: Record<string, EndpointLimit>,
    clock: Clock = systemClock,
  ) {
    for (const [family, limit] of Object.entries(limits)) {
      this.buckets.set(family, new TokenBucket({ perSecond: limit.perSecond, burst: limit.burst }, clock));
      if (limit.concurrency !== undefined) this.gates.set(family, new ConcurrencyGate(limit.concurrency));
    }
  }

  bucket(family: string): TokenBucket {
    const bucket = this.buckets.get(family);
    if (!bucket) throw new Error(`no limit declared for the endpoint family "${family}"`);
    return bucket;
  }

  gate(family: string): ConcurrencyGate | undefined {
    return this.gates.get(family);
  }

  /** The same limits as these (a connector's settings may change them). */
  sameAs(limits: Record<string, EndpointLimit>): boolean {
    return JSON.stringify(this.limits) === JSON.stringify(limits);
  }
}

const sharedBuckets = new Map<string, TokenBucket>();

/**
 * The token bucket of one credential in this process (e.g. a connector's key, or one side of a pair's): every
 * activity that sends with that credential shares it, so together they stay under the provider's limit. New
 * options replace the bucket.
 */
export function sharedLimiter(key: string, options: TokenBucketOptions): TokenBucket {
  let bucket = sharedBuckets.get(key);
  if (!bucket || bucket.options.perSecond !== options.perSecond || bucket.options.burst !== options.burst) {
    bucket = new TokenBucket(options);
    sharedBuckets.set(key, bucket);
  }
  return bucket;
}
