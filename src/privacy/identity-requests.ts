import { foldSurname, normaliseEmail } from '../domain/candidate';
import { type PhoneCountry, phoneForms } from '../domain/phone';
import type { Store } from '../store';
import { heldByPhoneAndSurname, personLockKey } from '../store/candidates';
import { lockPeople } from '../store/candidates-batch';
import type { Db } from '../store/db';
import { anyOf } from '../store/json-rows';
import {
  type DataProtection,
  type ErasureReport,
  identifyingFields,
  type PersonOnRecord,
  type SubjectExport,
  sectionSizes,
  subjectFrom,
} from './erasure';
import type { ExportOptions, PersonalDataHolder } from './holders';
import { personalData } from './registry';

/** How a data subject names themselves in a request: their email, or their phone with their surname (or both). */
export interface SubjectIdentity {
  email?: string;
  phone?: string;
  lastName?: string;
  /** Where their phone is read when given without its international prefix (default: DEFAULT_PHONE_COUNTRY). */
  country?: PhoneCountry;
}

export interface SubjectsFound {
  /** Candidates who are this person under the match rules, oldest first. */
  candidates: Array<{ id: string; createdAt: string; deletedAtSource: boolean }>;
  /** What holders found by the email or phone + surname itself: a board's delivery still waiting, a relay's deliveries. */
  foundByIdentity: Record<string, number>;
  /** Whether someone with this email (or phone + surname) was erased before. */
  erasedBefore: boolean;
}

export interface IdentityErasureReport {
  erasedAt: string;
  erasedBy: string;
  /** Each candidate who was this person, erased as `DELETE /v1/candidates/:id` erases. */
  candidates: ErasureReport[];
  /** Rows changed or removed by holders that found the person by identity with no candidate holding them. */
  erasedByIdentity: Record<string, number>;
}

export interface IdentityExport {
  format: 'jobrelay-subject-export/1';
  exportedAt: string;
  candidates: SubjectExport[];
  /** One section per holder that finds people by email or phone + surname, whether or not a candidate holds them. */
  foundByIdentity: Record<string, unknown>;
}

/**
 * Requests of a data subject who names themselves (a GDPR request arrives with an email, not our candidate id):
 * find them, export everything held on them, or erase them — every candidate who is them, and what is held of them
 * with no candidate at all (a sourcing tool's candidate relayed into an ATS, a board's delivery not yet taken in).
 * Their keyed email and phone + surname are kept as any erased person's, so they stay erased.
 */
export function createIdentityRequests(
  store: Store,
  protection: DataProtection,
  defaultCountry: PhoneCountry,
  holders: PersonalDataHolder[] = personalData,
) {
  const byIdentity = holders.filter((h) => h.findsByIdentity);

  /** The person as they named themselves; their phone as given, read in their country by whatever compares it. */
  const personOf = (identity: SubjectIdentity): PersonOnRecord => ({
    id: '',
    email: normaliseEmail(identity.email) ?? null,
    phone: identity.phone?.trim() || null,
    phoneCountry: identity.country ?? defaultCountry,
    last_name: identity.lastName?.trim() ?? '',
  });

  /** The living candidates who are this person, as the intake's match rules would find them, oldest first. */
  async function candidatesOf(db: Db, person: PersonOnRecord) {
    const byEmail = person.email
      ? await db
          .selectFrom('candidates')
          .select(['id', 'created_at', 'deleted_at'])
          .where('erased_at', 'is', null)
          .where('email', '=', person.email)
          .execute()
      : [];
    const surname = foldSurname(person.last_name);
    const phones = phoneForms(person.phone ?? undefined, person.phoneCountry);
    const byPhone = surname
      ? await heldByPhoneAndSurname(db, phones, surname, { withoutEmail: Boolean(person.email), deletedAtSource: true })
      : [];
    const found = new Map([...byEmail, ...byPhone].map((c) => [c.id, c]));
    return [...found.values()].sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1));
  }

  async function foundByIdentity(person: PersonOnRecord, options: ExportOptions) {
    const subject = subjectFrom(store.identityKeys, person);
    const sections: Record<string, unknown> = {};
    for (const holder of byIdentity) sections[holder.name] = await holder.export(store.db, subject, options);
    return sections;
  }

  return {
    async find(identity: SubjectIdentity): Promise<SubjectsFound> {
      const person = personOf(identity);
      // Asked as an arriving person is screened: erased before under any form their phone was held in.
      const keys = store.identityKeys.returning(identifyingFields(person)).map((k) => k.key);
      const erased = await store.db.selectFrom('erased_identities').select('key').where('key', '=', anyOf(keys)).limit(1).execute();
      return {
        candidates: (await candidatesOf(store.db, person)).map((c) => ({
          id: c.id,
          createdAt: c.created_at.toISOString(),
          deletedAtSource: c.deleted_at !== null,
        })),
        foundByIdentity: sectionSizes(await foundByIdentity(person, { documents: 'linked' })),
        erasedBefore: erased.length > 0,
      };
    },

    /**
     * First, under the person's locks (no write of them can land meanwhile): what holders find by identity is erased,
     * their keys are kept (from then on, a delivery or sync of them is refused) and the request is audited with the
     * candidates found. Then each of those candidates is erased in full. Repeating a request that failed part-way
     * finishes it.
     */
    async erase(identity: SubjectIdentity, actor: string): Promise<IdentityErasureReport> {
      const person = personOf(identity);
      const { found, erasedByIdentity, erasedAt } = await store.db.transaction().execute(async (tx) => {
        const locks = [
          personLockKey({ email: person.email ?? undefined }),
          personLockKey({ phone: person.phone ?? undefined, phoneCountry: person.phoneCountry, lastName: person.last_name }),
        ];
        await lockPeople(
          tx,
          locks.filter((k): k is string => Boolean(k)),
        );
        const subject = subjectFrom(store.identityKeys, person);
        const identities = [...subject.personKeys];
        for (const holder of byIdentity) identities.push(...((await holder.identities?.(tx, subject)) ?? []));
        const erasedByIdentity: Record<string, number> = {};
        for (const holder of byIdentity) erasedByIdentity[holder.name] = await holder.erase(tx, subject);
        await store.erased.remember(tx, null, identities, Boolean(person.email));
        const found = await candidatesOf(tx, person);
        await store.privacy.record(
          {
            action: 'erasure',
            actor,
            details: { reason: 'request', by: 'identity', candidates: found.map((c) => c.id), erased: erasedByIdentity },
          },
          tx,
        );
        return { found, erasedByIdentity, erasedAt: new Date() };
      });
      const candidates: ErasureReport[] = [];
      for (const c of found) candidates.push(await protection.erase(c.id, actor, 'request'));
      return { erasedAt: erasedAt.toISOString(), erasedBy: actor, candidates, erasedByIdentity };
    },

    async exportOf(identity: SubjectIdentity, actor: string, options: ExportOptions): Promise<IdentityExport> {
      const person = personOf(identity);
      const found = await candidatesOf(store.db, person);
      const candidates: SubjectExport[] = [];
      for (const c of found) candidates.push(await protection.exportOf(c.id, actor, options));
      const sections = await foundByIdentity(person, options);
      await store.privacy.record({
        action: 'export',
        actor,
        details: { by: 'identity', candidates: found.map((c) => c.id), documents: options.documents, sections: sectionSizes(sections) },
      });
      return { format: 'jobrelay-subject-export/1', exportedAt: new Date().toISOString(), candidates, foundByIdentity: sections };
    },
  };
}

export type IdentityRequests = ReturnType<typeof createIdentityRequests>;
