import { createHash } from 'node:crypto';
import type { Store } from '../store';
import type { SeenRecord } from '../store/connectors';

/**
 * What a connector last read of a stream's records (id, the provider's updatedAt, and a fingerprint of the settings
 * it was written under), for one page: a record read again unchanged under the same settings is not written again.
 */
export class RecordLedger {
  private readonly entries: SeenRecord[] = [];

  private constructor(
    private readonly store: Store,
    private readonly connectorId: string,
    private readonly stream: string,
    private readonly fingerprint: string,
    private readonly seen: Map<string, SeenRecord>,
  ) {}

  /** The ledger's entries for these ids; `settings` is what the stream's writes depend on (hashed). */
  static async open(store: Store, connectorId: string, stream: string, settings: unknown, ids: string[]): Promise<RecordLedger> {
    const seen = await store.connectors.seen(connectorId, stream, ids);
    return new RecordLedger(store, connectorId, stream, settingsDigest(settings), seen);
  }

  /** Read before at this updatedAt and written under the same settings. */
  unchanged(externalId: string, updatedAt: number): boolean {
    const before = this.seen.get(externalId);
    return before !== undefined && before.sourceUpdatedAt === updatedAt && before.fingerprint === this.fingerprint;
  }

  /** The record is written (or skipped for good): it goes into the ledger when the page is saved. */
  enter(externalId: string, updatedAt: number): void {
    this.entries.push({ externalId, sourceUpdatedAt: updatedAt, fingerprint: this.fingerprint });
  }

  /**
   * Written last, in one statement, after the records' own writes: a page cut short (crash, failure) is written
   * again in full by its retry, and its records come back `unchanged` only once they are in the store.
   */
  save(): Promise<void> {
    return this.store.connectors.markSeen(this.connectorId, this.stream, this.entries);
  }
}

/** A short digest of the settings a stream's records are written under (its `fingerprint`). */
export function settingsDigest(settings: unknown): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
}
