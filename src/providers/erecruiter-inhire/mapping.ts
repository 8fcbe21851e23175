import type { AtsApplication, AtsStage, ReadyCandidate, Recruitment } from '../../relay/types';
import type { ErecruiterApplication, ErecruiterRecruitment, ErecruiterStage, InhireCandidate } from './schemas';
import type { ErecruiterInhireSettings } from './settings';

/** inhire's pipeline columns (Waiting for your decision, Evaluating candidate, Invited for the interview, Hired, Negative). */
export const INHIRE_STATUSES = ['waiting_for_decision', 'evaluating', 'interview', 'hired', 'negative'] as const;

/**
 * eRecruiter's default stages, pre-mapped and locked (ours to define; the seed names Nowy, Złożenie oferty and
 * Zatrudniony as locked defaults). Every other stage is the company's own and must be mapped by the customer.
 */
export const DEFAULT_STAGE_MAPPING: Readonly<Record<string, (typeof INHIRE_STATUSES)[number]>> = {
  Nowy: 'waiting_for_decision',
  'Analiza CV': 'evaluating',
  'Rozmowa telefoniczna': 'interview',
  Rozmowa: 'interview',
  'Złożenie oferty': 'evaluating',
  Zatrudniony: 'hired',
  Odrzucony: 'negative',
};

export const toStage = (s: ErecruiterStage): AtsStage => ({ id: s.id, name: s.name, isDefault: s.isDefault });

/** With scope `selected`, only recruitments that ticked the partner may be read or written. */
export const toRecruitment = (r: ErecruiterRecruitment, scope: ErecruiterInhireSettings['scope']): Recruitment => ({
  id: r.id,
  name: r.name,
  inScope: scope === 'all' || r.partnerEnabled,
});

export const toApplication = (a: ErecruiterApplication): AtsApplication => ({
  id: a.id,
  createdAt: a.createdAt,
  externalId: a.externalId ?? undefined,
});

/** An inhire candidate approved for eRecruiter, as its delivery stages it. */
export function toReadyCandidate(c: InhireCandidate): ReadyCandidate {
  return {
    candidateId: c.id,
    recruitmentId: c.atsRecruitmentId,
    person: {
      firstName: c.firstName.trim(),
      lastName: c.lastName.trim(),
      ...(c.email ? { email: c.email.trim() } : {}),
      ...(c.phone ? { phone: c.phone.trim() } : {}),
    },
    ...(c.cvUrl ? { cvUrl: c.cvUrl } : {}),
  };
}
