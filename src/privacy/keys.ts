import type { SecretBox } from '../crypto/secrets';
import { type CandidateFields, foldSurname, normaliseEmail } from '../domain/candidate';
import { nationalForms, phoneForms } from '../domain/phone';

/**
 * What can identify a person once their data is erased: their email, their phone with their surname (the intake's
 * match rules), and the provider records they came from (a source, an application).
 */
export type IdentityKind = 'email' | 'phone+surname' | 'source' | 'application';

export interface IdentityKey {
  kind: IdentityKind;
  /** HMAC-SHA256 under the server key: the value cannot be read back, only recognised when it comes again. */
  key: string;
}

const PURPOSE = 'erased-identity';

/** Keyed hashes of a person's identifiers, the same for the same person whichever way they were written. */
export class IdentityKeys {
  constructor(private readonly secrets: SecretBox) {}

  /**
   * Email, and phone + surname, normalised as the candidate match rules normalise them. A phone whose form before
   * phones were read in their source's country differs gives that key too (after today's): a person erased then is
   * still recognised.
   */
  person(fields: Pick<CandidateFields, 'email' | 'phone' | 'lastName' | 'phoneCountry'>): IdentityKey[] {
    const keys: IdentityKey[] = [];
    const email = normaliseEmail(fields.email);
    const surname = foldSurname(fields.lastName);
    if (email) keys.push(this.key('email', email));
    if (surname)
      for (const phone of phoneForms(fields.phone, fields.phoneCountry)) keys.push(this.key('phone+surname', `${phone}:${surname}`));
    return keys;
  }

  /**
   * The keys an arriving person is checked against erased people by: `person`'s, then phone + surname under the national
   * forms of an international phone (erased while held as the national digits of a source whose country was not known).
   * Those digits are ambiguous across countries, so asked with the surname like every phone key, and only here: a false
   * match refuses one record, where matching the living by them would merge two people or erase another's data.
   */
  returning(fields: Pick<CandidateFields, 'email' | 'phone' | 'lastName' | 'phoneCountry'>): IdentityKey[] {
    const surname = foldSurname(fields.lastName);
    const national = surname ? nationalForms(fields.phone, fields.phoneCountry) : [];
    return [...this.person(fields), ...national.map((phone) => this.key('phone+surname', `${phone}:${surname}`))];
  }

  /** The person's record at a provider (a board's application id, a connector's person id). */
  source(provider: string, externalId: string): IdentityKey {
    return this.key('source', `${provider}:${externalId}`);
  }

  application(provider: string, externalId: string): IdentityKey {
    return this.key('application', `${provider}:${externalId}`);
  }

  private key(kind: IdentityKind, value: string): IdentityKey {
    return { kind, key: this.secrets.derive(PURPOSE, `${kind}:${value}`) };
  }
}
