import { newId } from '../domain/ids';
import type { Db } from './db';
import { newestFirst, type Page, type PageRequest, pageOf } from './paging';

export type AuditAction = 'erasure' | 'export' | 'retention';

export interface AuditEntry {
  id: string;
  action: AuditAction;
  candidateId?: string;
  /** Who: a token's id (`env:1`, `tok_…`) or `retention`. */
  actor: string;
  /** What: counts per kind of data, sections exported, a retention run's totals. Never the data itself. */
  details: Record<string, unknown>;
  at: string;
}

/** The privacy audit log, and the question retention asks of the store. */
export function createPrivacyRepository(db: Db) {
  return {
    /** Records an entry; one given an `id` is recorded once (undefined when it already was). */
    async record(
      entry: { id?: string; action: AuditAction; candidateId?: string; actor: string; details: Record<string, unknown> },
      tx: Db = db,
    ): Promise<AuditEntry | undefined> {
      const row = await tx
        .insertInto('privacy_audit')
        .values({
          id: entry.id ?? newId('aud'),
          action: entry.action,
          candidate_id: entry.candidateId ?? null,
          actor: entry.actor,
          details: JSON.stringify(entry.details),
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .returningAll()
        .executeTakeFirst();
      return row && toEntry(row);
    },

    async list(filter: PageRequest & { action?: AuditAction; candidateId?: string }): Promise<Page<AuditEntry>> {
      const limit = filter.limit ?? 50;
      let q = newestFirst(db.selectFrom('privacy_audit').selectAll(), filter, limit);
      if (filter.action) q = q.where('action', '=', filter.action);
      if (filter.candidateId) q = q.where('candidate_id', '=', filter.candidateId);
      return pageOf(await q.execute(), limit, toEntry);
    },

    /**
     * Candidates with no activity since `before`: not created, changed, given a source, an application (applied,
     * or its status changed) or a document since. Oldest first.
     */
    async idleCandidates(before: Date, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('candidates as c')
        .select('c.id')
        .where('c.erased_at', 'is', null)
        .where('c.created_at', '<', before)
        .where('c.updated_at', '<', before)
        .where(({ not, exists, selectFrom, or }) =>
          not(
            or([
              exists(
                selectFrom('applications as a')
                  .select('a.id')
                  .whereRef('a.candidate_id', '=', 'c.id')
                  .where((w) => w.or([w('a.updated_at', '>=', before), w('a.applied_at', '>=', before)])),
              ),
              exists(
                selectFrom('candidate_sources as s')
                  .select('s.candidate_id')
                  .whereRef('s.candidate_id', '=', 'c.id')
                  .where('s.first_seen_at', '>=', before),
              ),
              exists(
                selectFrom('documents as d').select('d.id').whereRef('d.candidate_id', '=', 'c.id').where('d.created_at', '>=', before),
              ),
            ]),
          ),
        )
        .orderBy('c.updated_at')
        .orderBy('c.id')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },
  };
}

export type PrivacyRepository = ReturnType<typeof createPrivacyRepository>;

function toEntry(row: {
  id: string;
  action: string;
  candidate_id: string | null;
  actor: string;
  details: Record<string, unknown>;
  created_at: Date;
}): AuditEntry {
  return {
    id: row.id,
    action: row.action as AuditAction,
    candidateId: row.candidate_id ?? undefined,
    actor: row.actor,
    details: row.details,
    at: row.created_at.toISOString(),
  };
}
