import { createHash } from 'node:crypto';
import type { Store } from '../store';
import type { SeenRecord } from '../store/connectors';
import type { WrittenRefs } from './types';

/** A record as its page listed it: its id, the provider's update time when it gives one, and a fingerprint of it. */
export interface ListedRecord {
  id: string;
  updatedAt?: number;
  version: string;
}

/**
 * What a connector last read of a stream's records (id, the provider's updatedAt, a fingerprint of the record as
 * listed, of the settings it was written under, and what its writes produced), for one page: a record read again
 * unchanged under the same settings is not written again.
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

  /**
   * Read before as it is now, written under the same settings, and still live. A version read before the ledger kept
   * versions matches any: the update time decides alone there.
   */
  unchanged(record: ListedRecord): boolean {
    const before = this.seen.get(record.id);
    return (
      before !== undefined &&
      before.goneAt === undefined &&
      before.wrote !== undefined &&
      before.sourceUpdatedAt === record.updatedAt &&
      (before.version === undefined || before.version === record.version) &&
      before.fingerprint === this.fingerprint
    );
  }

  /** The record is written (or skipped for good): it goes into the ledger when the page is saved. */
  enter(record: ListedRecord, wrote: WrittenRefs = {}): void {
    this.entries.push({
      externalId: record.id,
      sourceUpdatedAt: record.updatedAt,
      version: record.version,
      fingerprint: this.fingerprint,
      wrote,
    });
  }

  /** Of these ids, those whose record wrote a job: as entered on this page, else as read before. */
  wroteJobs(ids: string[]): string[] {
    const entered = new Map(this.entries.map((e) => [e.externalId, e.wrote]));
    return ids.filter((id) => ((entered.has(id) ? entered.get(id) : this.seen.get(id)?.wrote)?.jobs?.length ?? 0) > 0);
  }

  /**
   * Applications a record wrote when last read that it no longer lists (a candidate moved from one job to another, an
   * opportunity moved to another posting): gone at the provider, though the record is not. Only records written now
   * with their applications say so (one skipped or erased says nothing of them), and none another record now lists.
   */
  droppedApplications(): string[] {
    const listed = new Set(this.entries.flatMap((e) => e.wrote?.applications ?? []));
    return this.entries.flatMap((e) => {
      const before = this.seen.get(e.externalId)?.wrote?.applications;
      return e.wrote?.applications && before ? before.filter((id) => !listed.has(id)) : [];
    });
  }

  /**
   * Written last, in one statement, after the records' own writes: a page cut short (crash, failure) is written
   * again in full by its retry, and its records come back `unchanged` only once they are in the store. In a complete
   * listing (`listedAt`, the run's start), the page's unchanged records are marked listed too.
   */
  async save(listedAt?: number, listedIds: string[] = []): Promise<void> {
    await this.store.connectors.markSeen(this.connectorId, this.stream, this.entries, listedAt);
    if (listedAt === undefined) return;
    const entered = new Set(this.entries.map((e) => e.externalId));
    await this.store.connectors.markListed(
      this.connectorId,
      this.stream,
      listedIds.filter((id) => !entered.has(id)),
      listedAt,
    );
  }
}

/** A short digest of a value (settings, a record as listed): sha256 of its JSON, 16 hex digits. */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** A short digest of the settings a stream's records are written under (its `fingerprint`). */
export const settingsDigest = digestOf;
