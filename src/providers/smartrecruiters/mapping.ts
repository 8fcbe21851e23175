import { countryName } from '../../careers/present';
import type { CandidateFields, DocumentKind } from '../../domain/candidate';
import type { Workplace } from '../../sync/classify';
import type { JobDecision, SyncedJob, SyncedPerson } from '../../sync/writes';
import type { SrAssignment, SrCandidate, SrCandidateItem, SrPosting, SrPostingItem } from './schemas';
import type { SmartRecruitersSettings } from './settings';

// SmartRecruiters → jobrelay, pure functions. See ./README.md for what each rule assumes.

/** A job ad's sections in the order SmartRecruiters shows them. */
const SECTIONS = ['companyDescription', 'jobDescription', 'qualifications', 'additionalInformation'] as const;

/** Which postings the connector imports: released on or after the jobs start date, with a place. */
export function decidePosting(posting: SrPosting, settings: SmartRecruitersSettings): JobDecision {
  const released = posting.releasedDate ? Date.parse(posting.releasedDate) : undefined;
  if (settings.jobsStartDate && released !== undefined && released < Date.parse(settings.jobsStartDate))
    return { action: 'unpublish', state: 'open', reason: 'released before the jobs start date' };
  const location = placeOf(posting);
  if (!location) return { action: 'unpublish', state: 'open', reason: 'no location' };
  return { action: 'import', job: toJob(posting, settings, location) };
}

/** The city, else the region, else "Remote", else the country (a posting open anywhere in it): none only without any. */
function placeOf(p: SrPostingItem): SyncedJob['location'] | undefined {
  const l = p.location ?? {};
  const country = clean(l.country)?.toUpperCase();
  const city = clean(l.city) ?? clean(l.region) ?? (l.remote ? 'Remote' : undefined) ?? (country && countryName(country));
  if (!city) return undefined;
  return { city, region: clean(l.region), country: country ?? 'unknown' };
}

export function toJob(p: SrPosting, settings: SmartRecruitersSettings, location: SyncedJob['location']): SyncedJob {
  const sections = sectionsOf(p);
  return {
    reference: clean(p.refNumber),
    title: clean(p.name) ?? '(untitled)',
    description: sections.map((s) => (s.title ? `<h3>${escapeHtml(s.title)}</h3>\n${s.html}` : s.html)).join('\n') || '<p></p>',
    location,
    workplace: workplaceOf(p),
    employmentStatus: clean(p.typeOfEmployment?.label) ?? 'unspecified',
    category: clean(p.function?.label) ?? clean(p.industry?.label),
    recruiter: { name: clean(p.creator?.name) ?? '', email: '' },
    state: 'open',
    source: 'smartrecruiters',
    externalId: p.id,
    hidden: isHiddenPosting(p, settings.hiddenJobs),
    published: true,
    applyUrl: clean(p.applyUrl),
    department: clean(p.department?.label),
    experienceLevel: clean(p.experienceLevel?.label),
    sections,
    postedAt: p.releasedDate ?? undefined,
  };
}

function workplaceOf(p: SrPostingItem): Workplace {
  const l = p.location as { remote?: boolean | null; hybrid?: boolean | null } | null | undefined;
  if (l?.remote) return 'remote';
  if (l?.hybrid) return 'hybrid';
  return 'onsite';
}

function sectionsOf(p: SrPosting): NonNullable<SyncedJob['sections']> {
  const all = p.jobAd?.sections ?? {};
  return SECTIONS.flatMap((key) => {
    const s = all[key];
    const html = s?.text?.trim();
    return html ? [{ title: clean(s?.title), html }] : [];
  });
}

/** Hidden when any criterion matches the posting's label or id (case-insensitive). */
export function isHiddenPosting(p: SrPostingItem, rule: SmartRecruitersSettings['hiddenJobs']): boolean {
  if (!rule) return false;
  const norm = (s: string | null | undefined) => s?.trim().toLowerCase() ?? '';
  const hit = (list: string[] | undefined, ...values: Array<string | null | undefined>) =>
    !!list?.some((wanted) => values.some((v) => v && norm(v) === norm(wanted)));
  const custom = p.customField ?? [];
  return (
    hit(rule.departments, p.department?.label, p.department?.id) ||
    hit(rule.functions, p.function?.label, p.function?.id) ||
    hit(rule.typesOfEmployment, p.typeOfEmployment?.label, p.typeOfEmployment?.id) ||
    hit(rule.experienceLevels, p.experienceLevel?.label, p.experienceLevel?.id) ||
    hit(rule.countries, p.location?.country) ||
    !!rule.customFields?.some((c) =>
      custom.some(
        (f) => (norm(f.fieldLabel) === norm(c.field) || norm(f.fieldId) === norm(c.field)) && hit(c.values, f.valueLabel, f.valueId),
      ),
    )
  );
}

/** Our application statuses for SmartRecruiters' (documented: a candidate's status in one job). */
export const STATUS_MAP: Record<string, string> = {
  LEAD: 'lead',
  NEW: 'new',
  IN_REVIEW: 'in-progress',
  INTERVIEW: 'interview',
  OFFERED: 'offered',
  HIRED: 'hired',
  REJECTED: 'rejected',
  WITHDRAWN: 'withdrawn',
  TRANSFERRED: 'transferred',
};

/** Ours, and SmartRecruiters' own value kept (with its sub-status). A status not in the documented set is `unmapped`. */
export function applicationStatus(a: Pick<SrAssignment, 'status' | 'subStatus'>): { status: string; providerStatus: string } {
  const value = a.status.trim().toUpperCase();
  const sub = clean(a.subStatus);
  return { status: STATUS_MAP[value] ?? 'unmapped', providerStatus: sub ? `${value} / ${sub}` : value };
}

/** SmartRecruiters' structured history (when it has one) in our shape. */
export function historyOf(c: SrCandidate): Pick<CandidateFields, 'education' | 'experience'> {
  return {
    experience: (c.experience ?? []).map((e) =>
      compact({
        title: e.title,
        company: e.company,
        startDate: e.startDate,
        endDate: e.endDate,
        current: e.current ?? undefined,
        summary: e.description,
      }),
    ),
    education: (c.education ?? []).map((e) =>
      compact({
        institution: e.institution,
        degree: e.degree,
        field: e.major,
        startDate: e.startDate,
        endDate: e.endDate,
        current: e.current ?? undefined,
        summary: e.description,
      }),
    ),
  };
}

export interface PersonInput {
  item: SrCandidateItem;
  details?: SrCandidate;
  /** From the résumé when SmartRecruiters has none (parse résumés on). */
  parsed?: Pick<CandidateFields, 'education' | 'experience'>;
  cv?: { filename: string; contentType: string; content: Buffer };
  /** Their other documents (a cover letter, …), downloaded. */
  documents?: SyncedPerson['documents'];
}

/** One person: the candidate, an application per job they are in (with its status), and their résumé as CV. */
export function personOf({ item, details, parsed, cv, documents }: PersonInput, settings: SmartRecruitersSettings): SyncedPerson {
  const c = { ...item, ...details };
  const structured = details ? historyOf(details) : {};
  const assignments = [item.primaryAssignment, ...(item.secondaryAssignments ?? [])].filter((a): a is SrAssignment => !!a);
  const location = c.location ?? {};
  return {
    externalId: item.id,
    referrer: clean(item.primaryAssignment?.source),
    fields: {
      firstName: clean(c.firstName),
      lastName: clean(c.lastName),
      email: clean(c.email),
      phone: clean(c.phoneNumber),
      location: compact({
        city: location.city,
        region: location.region,
        country: location.country?.toUpperCase(),
      }) as CandidateFields['location'],
      experience: structured.experience?.length ? structured.experience : parsed?.experience,
      education: structured.education?.length ? structured.education : parsed?.education,
      links: compact({ ...details?.web }) as CandidateFields['links'],
    },
    createIfUnknown: settings.importUnknownCandidates,
    applications: uniqueByJob(assignments).map((a) => ({
      externalId: applicationId(item.id, a),
      jobExternalId: a.job.id,
      ...applicationStatus(a),
      appliedAt: a.createdOn ?? item.createdOn ?? item.updatedOn,
      // Each assignment names its own source: a candidate found on LinkedIn for one job may have applied on the site for another.
      referrer: clean(a.source),
    })),
    cv,
    documents,
  };
}

/** Our kind of a candidate's document from its attachment type (`COVER_LETTER`; any other is `other`). */
export function attachmentKind(attachmentType: string): DocumentKind {
  return attachmentType.trim().toUpperCase() === 'COVER_LETTER' ? 'cover-letter' : 'other';
}

/** A candidate's application to one job: SmartRecruiters has no id of its own for it. */
const applicationId = (candidateId: string, a: SrAssignment) => `${candidateId}:${a.job.id}`;

/** What a candidate's records are here: them, and an application per job they are in. */
export function refsOf(item: SrCandidateItem): { people: string[]; applications: string[] } {
  const assignments = [item.primaryAssignment, ...(item.secondaryAssignments ?? [])].filter((a): a is SrAssignment => !!a);
  return { people: [item.id], applications: uniqueByJob(assignments).map((a) => applicationId(item.id, a)) };
}

function uniqueByJob(assignments: SrAssignment[]): SrAssignment[] {
  const byJob = new Map<string, SrAssignment>();
  for (const a of assignments) if (!byJob.has(a.job.id)) byJob.set(a.job.id, a);
  return [...byJob.values()];
}

function clean(v: string | null | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

function compact(o: Record<string, string | boolean | null | undefined>): Record<string, string | boolean> {
  return Object.fromEntries(
    Object.entries(o).filter(
      (e): e is [string, string | boolean] => typeof e[1] === 'boolean' || (typeof e[1] === 'string' && e[1].trim() !== ''),
    ),
  );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}
