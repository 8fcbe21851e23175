import { notFound } from '../domain/errors';
import type { PhoneCountry } from '../domain/phone';
import type { Store } from '../store';
import { personLockKey } from '../store/candidates';
import { lockPeople } from '../store/candidates-batch';
import type { Db } from '../store/db';
import { erasedError } from '../store/erased';
import type { AuditEntry } from '../store/privacy';
import type { DataSubject, ExportOptions, PersonalDataHolder } from './holders';
import type { IdentityKeys } from './keys';
import { personalData } from './registry';

export interface ErasureReport {
  candidateId: string;
  erasedAt: string;
  /** Who asked: a token's id, or `retention`. */
  erasedBy: string;
  /** Rows changed or removed, per holder (`documents`: files deleted). Empty when it had been erased before. */
  erased: Record<string, number>;
}

export interface SubjectExport {
  format: 'jobrelay-subject-export/1';
  candidateId: string;
  exportedAt: string;
  /** One section per holder (candidate, sources, applications, documents, deliveries, …), then the audit entries about them. */
  [section: string]: unknown;
  audit: AuditEntry[];
}

/** Why a candidate is erased: someone asked (a GDPR request), or retention found them idle. */
export type ErasureReason = 'request' | 'retention';

/** What identifies a person: a candidate's row, or what a request by identity gave (no candidate: `id` empty). */
export interface PersonOnRecord {
  id: string;
  email: string | null;
  phone: string | null;
  /** Where `phone` is read when it has no international prefix (a request's country); a stored phone needs none. */
  phoneCountry?: PhoneCountry;
  last_name: string;
}

/** What identifies the person, as `IdentityKeys` takes it. */
export const identifyingFields = (person: PersonOnRecord) => ({
  email: person.email ?? undefined,
  phone: person.phone ?? undefined,
  phoneCountry: person.phoneCountry,
  lastName: person.last_name,
});

/** The person as every holder looks for them: by candidate id, and by keyed email and phone + surname under the match rules. */
export function subjectFrom(keys: IdentityKeys, candidate: PersonOnRecord): DataSubject {
  const personKeys = keys.person(identifyingFields(candidate));
  const held = new Set(personKeys.map((k) => k.key));
  return {
    candidateId: candidate.id,
    keys,
    personKeys,
    describes(fields) {
      const theirs = keys.person(fields);
      const bothHaveEmail = Boolean(candidate.email) && theirs.some((k) => k.kind === 'email');
      // Two different emails are two people, whatever their phone says.
      return theirs.some((k) => held.has(k.key) && (k.kind !== 'phone+surname' || !bothHaveEmail));
    },
  };
}

/** How many entries each section of an export holds: what the audit records of it. */
export const sectionSizes = (sections: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(sections).map(([name, v]) => [name, Array.isArray(v) ? v.length : 1]));

/** Erasure and subject-access export over every registered holder of personal data, each audited. */
export function createDataProtection(store: Store, holders: PersonalDataHolder[] = personalData) {
  const { identityKeys: keys } = store;
  const subjectOf = (candidate: PersonOnRecord) => subjectFrom(keys, candidate);

  /** Every lock a write of this person may hold (their email, phone + surname, each source), in one order. */
  async function lockEveryWayIn(tx: Db, candidateId: string) {
    const c = await tx.selectFrom('candidates').select(['email', 'phone', 'last_name']).where('id', '=', candidateId).executeTakeFirst();
    if (!c) throw notFound('candidate');
    const sources = await tx
      .selectFrom('candidate_sources')
      .select(['provider', 'external_id'])
      .where('candidate_id', '=', candidateId)
      .execute();
    const locks = [
      personLockKey({ email: c.email ?? undefined }),
      personLockKey({ phone: c.phone ?? undefined, lastName: c.last_name }),
      ...sources.map((s) => personLockKey({}, { provider: s.provider, externalId: s.external_id })),
    ].filter((k): k is string => Boolean(k));
    await lockPeople(tx, locks);
  }

  return {
    /**
     * Erases the person's data from every holder in one transaction, keeps the keyed hashes of what identified them
     * (so a later delivery or sync of them is refused), and leaves the tombstone: id, created, erased at and by.
     * Erasing a tombstone again changes nothing.
     */
    async erase(candidateId: string, actor: string, reason: ErasureReason): Promise<ErasureReport> {
      return store.db.transaction().execute(async (tx) => {
        await lockEveryWayIn(tx, candidateId);
        const candidate = await tx.selectFrom('candidates').selectAll().where('id', '=', candidateId).forUpdate().executeTakeFirstOrThrow();
        if (candidate.erased_at)
          return { candidateId, erasedAt: candidate.erased_at.toISOString(), erasedBy: candidate.erased_by ?? '', erased: {} };

        const subject = subjectOf(candidate);
        const identities = [...subject.personKeys];
        for (const holder of holders) identities.push(...((await holder.identities?.(tx, subject)) ?? []));
        const erased: Record<string, number> = {};
        for (const holder of holders) erased[holder.name] = await holder.erase(tx, subject);
        await store.erased.remember(tx, candidateId, identities, Boolean(candidate.email));

        const erasedAt = new Date();
        await tx.updateTable('candidates').set({ erased_at: erasedAt, erased_by: actor }).where('id', '=', candidateId).execute();
        await store.privacy.record({ action: 'erasure', candidateId, actor, details: { reason, erased } }, tx);
        return { candidateId, erasedAt: erasedAt.toISOString(), erasedBy: actor, erased };
      });
    },

    /** Everything held on the person, one section per holder, with the audit entries about them; the export is audited. */
    async exportOf(candidateId: string, actor: string, options: ExportOptions): Promise<SubjectExport> {
      const candidate = await store.db
        .selectFrom('candidates')
        .select(['id', 'email', 'phone', 'last_name', 'erased_at'])
        .where('id', '=', candidateId)
        .executeTakeFirst();
      if (!candidate) throw notFound('candidate');
      if (candidate.erased_at) throw erasedError(candidate.erased_at);
      const subject = subjectOf(candidate);
      const sections: Record<string, unknown> = {};
      for (const holder of holders) sections[holder.name] = await holder.export(store.db, subject, options);
      const audit = (await store.privacy.list({ candidateId, limit: 200 })).items;
      const exportedAt = new Date().toISOString();
      await store.privacy.record({
        action: 'export',
        candidateId,
        actor,
        details: { documents: options.documents, sections: sectionSizes(sections) },
      });
      return { format: 'jobrelay-subject-export/1', candidateId, exportedAt, ...sections, audit };
    },
  };
}

export type DataProtection = ReturnType<typeof createDataProtection>;
