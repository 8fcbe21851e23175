import type { CandidateFields } from '../domain/candidate';
import { GoneError } from '../domain/errors';
import type { IdentityKey, IdentityKeys } from '../privacy/keys';
import type { ErasedMatch } from '../privacy/rules';
import type { MatchRule } from './candidates';
import type { Db } from './db';
import { anyOf } from './json-rows';

/** A person as a board or connector is about to write them. */
export interface ArrivingPerson {
  provider: string;
  /** The person's record at the provider (a board's application id, a connector's person id). */
  sourceId: string;
  /** The provider's ids of the applications the record brings. */
  applicationIds: string[];
  fields: CandidateFields;
  matchBy: MatchRule[];
}

/**
 * Erased people, known only by keyed hashes of their identifiers. `screen` is THE check of the candidate write path
 * ("is this person erased?"): every candidate write asks it before creating anyone, for a whole batch in one query.
 */
export function createErasedRepository(db: Db, keys: IdentityKeys) {
  return {
    /** For each arriving person, in order: whether their record, or they themselves, were erased. */
    async screen(people: ArrivingPerson[], tx: Db = db): Promise<ErasedMatch[]> {
      const asked = people.map((p) => {
        const person = keys.returning(p.fields);
        return {
          record: [keys.source(p.provider, p.sourceId), ...p.applicationIds.map((id) => keys.application(p.provider, id))],
          person: person.filter((k) => p.matchBy.includes(k.kind as MatchRule)),
          hasEmail: person.some((k) => k.kind === 'email'),
        };
      });
      const all = asked.flatMap((a) => [...a.record, ...a.person].map((k) => k.key));
      if (all.length === 0) return people.map(() => ({ record: false, person: false }));
      const rows = await tx.selectFrom('erased_identities').select(['key', 'with_email']).where('key', '=', anyOf(all)).execute();
      const found = new Map(rows.map((r) => [r.key, r]));
      return asked.map((a) => ({
        record: a.record.some((k) => found.has(k.key)),
        // Two different emails are two people, whatever their phone says (as when matching the living).
        person: a.person.some((k) => {
          const row = found.get(k.key);
          return row !== undefined && (k.kind !== 'phone+surname' || !a.hasEmail || !row.with_email);
        }),
      }));
    },

    /** Keeps the keyed hashes of an erased person's identifiers (inside the erasure's transaction); no candidate when erased by identity. */
    async remember(tx: Db, candidateId: string | null, identities: IdentityKey[], withEmail: boolean): Promise<void> {
      if (identities.length === 0) return;
      await tx
        .insertInto('erased_identities')
        .values(identities.map((k) => ({ key: k.key, kind: k.kind, candidate_id: candidateId, with_email: withEmail })))
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
    },
  };
}

export type ErasedRepository = ReturnType<typeof createErasedRepository>;

export const erasedError = (erasedAt: Date) => new GoneError('the candidate’s data was erased', { erasedAt: erasedAt.toISOString() });
