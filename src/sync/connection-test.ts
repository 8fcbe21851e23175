import { failureClass, refusalOf } from '../providers/errors';
import type { TestReport } from './types';

/** How a provider words what its credentials lack. */
export interface CredentialWords {
  /** A 401: the credentials are refused outright. */
  rejected: string;
  /** A 403 on a check needing `permission`; `message` is the provider's own (it may name something more precise). */
  lacks(permission: string, message: string): string;
}

const DEFAULT_WORDS: CredentialWords = {
  rejected: 'the credentials are invalid or revoked',
  lacks: (permission) => `credentials lack ${permission}`,
};

/**
 * A connection test: each check makes the smallest request a permission allows; a 401 means the credentials are
 * refused, a 403 names the permission they lack. The report says what is missing instead of failing.
 */
export class ConnectionTest {
  private readonly checks: TestReport['checks'] = [];
  private readonly missing: string[] = [];
  private readonly parts = new Map<string, ConnectionTest>();
  private refused = false;

  constructor(private readonly words: CredentialWords = DEFAULT_WORDS) {}

  /**
   * A connector that talks to more than one API (a pair of providers) tests each as a part of its own: the report
   * says per part whether it works and what it lacks, and names the part in every check and missing item.
   */
  part(name: string, words: CredentialWords = this.words): ConnectionTest {
    let part = this.parts.get(name);
    if (!part) {
      part = new ConnectionTest(words);
      this.parts.set(name, part);
    }
    return part;
  }

  /**
   * Runs one check; its value, or undefined when it failed. `notFound`: what a 404 means is wrong (e.g. an account
   * identifier), reported as missing.
   */
  async check<T>(name: string, permission: string, call: () => Promise<T>, notFound?: string): Promise<T | undefined> {
    try {
      const value = await call();
      this.checks.push({ name, ok: true });
      return value;
    } catch (err) {
      const message = (err as Error).message;
      const status = refusalOf(err)?.status;
      // The class and status only: the answering host may not be the provider, and its body is not ours to echo.
      this.checks.push({ name, ok: false, detail: failureClass(err) });
      if (status === 401) {
        this.refused = true;
        if (!this.missing.includes(this.words.rejected)) this.missing.push(this.words.rejected);
      } else if (status === 403) this.missing.push(this.words.lacks(permission, message));
      else if (status === 404 && notFound) this.missing.push(notFound);
      return undefined;
    }
  }

  /** A check that could not be made, and why (e.g. no record yet to try a permission on). */
  skip(name: string, why: string): void {
    this.checks.push({ name, ok: true, detail: why });
  }

  /** The credentials were refused outright: further checks would say nothing new. */
  get credentialsRefused(): boolean {
    return this.refused;
  }

  report(): TestReport {
    if (this.parts.size === 0) return { ok: this.missing.length === 0, checks: this.checks, missing: this.missing };
    const checks = [...this.checks];
    const missing = [...this.missing];
    const parts: NonNullable<TestReport['parts']> = {};
    for (const [name, part] of this.parts) {
      const report = part.report();
      // A part works when every check of it passed: a part that could not be reached is not working either.
      parts[name] = { ok: report.ok && report.checks.every((c) => c.ok), missing: report.missing };
      checks.push(...report.checks.map((c) => ({ ...c, name: `${name}: ${c.name}` })));
      missing.push(...report.missing.map((m) => `${name}: ${m}`));
    }
    return { ok: missing.length === 0 && Object.values(parts).every((p) => p.ok), checks, missing, parts };
  }
}
