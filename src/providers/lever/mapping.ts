import type { CandidateFields } from '../../domain/candidate';
import { classifyWorkplace, isHidden, type Workplace } from '../../sync/classify';
import type { JobDecision, SyncedJob, SyncedPerson } from '../../sync/writes';
import type { LeverArchiveReason, LeverOpportunity, LeverPosting, LeverResume } from './schemas';
import type { LeverSettings } from './settings';

// Lever → jobrelay, pure functions. See ./README.md for the assumptions behind each rule.

/** Which postings the connector imports: the state and the exact distribution channel, then the location rule. */
export function decidePosting(posting: LeverPosting, settings: LeverSettings): JobDecision {
  const mismatch = postingMismatch(posting, settings);
  if (mismatch) return { action: 'unpublish', state: posting.state === 'closed' ? 'closed' : 'open', reason: mismatch };
  const location = posting.categories.location?.trim();
  // Only jobs with a location are pulled (seed 003): one whose location is removed in Lever leaves the careers site.
  if (!location) return { action: 'unpublish', state: 'open', reason: 'no location' };
  return { action: 'import', job: toJob(posting, settings, location) };
}

function postingMismatch(posting: LeverPosting, settings: LeverSettings): string | undefined {
  if (posting.state !== settings.postingState) return `state ${posting.state}`;
  if (settings.postingState !== 'published') return undefined;
  const channels = new Set(posting.distributionChannels ?? []);
  const wanted = settings.distributionChannel === 'public-and-internal' ? ['public', 'internal'] : [settings.distributionChannel];
  const exact = channels.size === wanted.length && wanted.every((c) => channels.has(c));
  return exact ? undefined : `channel ${[...channels].sort().join('+') || 'none'}`;
}

function toJob(p: LeverPosting, settings: LeverSettings, location: string): SyncedJob {
  const owner = typeof p.owner === 'object' && p.owner ? p.owner : undefined;
  const sections = sectionsOf(p);
  return {
    reference: p.reqCode?.trim() || undefined,
    title: p.text.trim() || '(untitled)',
    description: sections.map((s) => (s.title ? `<h3>${escapeHtml(s.title)}</h3>` : '') + s.html).join('\n') || '<p></p>',
    sections: sections.length ? sections : undefined,
    location: { city: location, country: p.country?.trim() || 'unknown' },
    workplace: workplaceOf(p, settings),
    salary: salaryOf(p),
    employmentStatus: p.categories.commitment?.trim() || 'unspecified',
    category: p.categories.department?.trim() || p.categories.team?.trim() || undefined,
    recruiter: { name: owner?.name ?? '', email: owner?.email ?? '' },
    state: 'open',
    source: 'lever',
    externalId: p.id,
    hidden: isHidden({ tags: p.tags, team: p.categories.team, department: p.categories.department }, settings.hiddenJobs),
    published: true,
    applyUrl: applyUrlOf(p, settings),
    department: p.categories.department?.trim() || p.categories.team?.trim() || undefined,
    postedAt: p.createdAt === undefined ? undefined : new Date(p.createdAt).toISOString(),
  };
}

/** Lever's own apply link when it gives one, else the hosted apply page on the company's jobs site. */
export function applyUrlOf(p: LeverPosting, settings: LeverSettings): string {
  const given = p.urls?.apply?.trim();
  if (given && /^https?:\/\//i.test(given)) return given;
  return `https://jobs.lever.co/${settings.companyCode}/${encodeURIComponent(p.id)}/apply`;
}

/** The user's regexes on the chosen field; without them, Lever's own workplaceType. */
export function workplaceOf(p: LeverPosting, settings: LeverSettings): Workplace {
  const native = ({ remote: 'remote', hybrid: 'hybrid' } as Record<string, Workplace>)[p.workplaceType ?? ''] ?? 'onsite';
  if (!settings.remote) return native;
  const value = settings.remote.field === 'location' ? p.categories.location : p.workplaceType;
  return classifyWorkplace(value, settings.remote) ?? (settings.remote.field === 'workplaceType' ? native : 'onsite');
}

/** The opening, each list under its own heading (e.g. "Requirements"), and the closing, as Lever structures them. */
function sectionsOf(p: LeverPosting): NonNullable<SyncedJob['sections']> {
  const c = p.content;
  if (!c) return [];
  const sections: NonNullable<SyncedJob['sections']> = [];
  const opening = c.descriptionHtml || (c.description ? `<p>${escapeHtml(c.description)}</p>` : '');
  if (opening) sections.push({ html: opening });
  for (const l of c.lists ?? []) sections.push({ title: l.text.trim() || undefined, html: `<ul>${l.content}</ul>` });
  const closing = c.closingHtml || (c.closing ? `<p>${escapeHtml(c.closing)}</p>` : '');
  if (closing) sections.push({ html: closing });
  return sections;
}

const PERIODS: Record<string, 'annum' | 'month' | 'day' | 'hour'> = {
  'per-year-salary': 'annum',
  'per-month-salary': 'month',
  'per-day-wage': 'day',
  'per-hour-wage': 'hour',
};

function salaryOf(p: LeverPosting): SyncedJob['salary'] {
  const r = p.salaryRange;
  const period = PERIODS[r?.interval ?? ''];
  if (!r?.currency || !period) return undefined;
  return { min: r.min ?? undefined, max: r.max ?? undefined, currency: r.currency.toUpperCase(), period };
}

/** The person behind an opportunity, and what their parsed resume adds. */
export function candidateFields(o: LeverOpportunity, resume?: LeverResume): CandidateFields {
  const [firstName, ...rest] = o.name.trim().split(/\s+/);
  const positions = resume?.parsedData?.positions ?? [];
  const schools = resume?.parsedData?.schools ?? [];
  return {
    firstName: firstName || undefined,
    lastName: rest.join(' ') || undefined,
    email: o.emails[0],
    phone: o.phones[0]?.value,
    location: o.location ? { city: o.location } : undefined,
    experience: positions.map((p) =>
      compact({
        title: p.title,
        company: p.org,
        location: p.location,
        summary: p.summary,
        startDate: yearMonth(p.start),
        endDate: yearMonth(p.end),
      }),
    ),
    education: schools.map((s) =>
      compact({
        institution: s.org,
        degree: s.degree,
        field: s.field,
        summary: s.summary,
        startDate: yearMonth(s.start),
        endDate: yearMonth(s.end),
      }),
    ),
  };
}

/** One person: Lever's contact, their opportunity's applications, and the newest resume (with its file) as their CV. */
export function personOf(
  o: LeverOpportunity,
  resume: { resume: LeverResume; file?: { content: Buffer; contentType: string } } | undefined,
  reasons: Map<string, LeverArchiveReason>,
  settings: LeverSettings,
): SyncedPerson {
  const status = applicationStatus(o, reasons);
  const name = resume?.resume.file?.name;
  return {
    externalId: o.contact,
    referrer: o.sources[0] ?? o.origin ?? undefined,
    fields: candidateFields(o, resume?.resume),
    createIfUnknown: settings.importUnknownCandidates,
    applications: o.applications
      .filter((a) => typeof a !== 'string')
      .map((a) => ({
        externalId: a.id,
        jobExternalId: a.posting ?? undefined,
        status: status.status,
        providerStatus: status.providerStatus,
        appliedAt: new Date(a.createdAt ?? o.createdAt ?? o.updatedAt).toISOString(),
      })),
    cv: resume?.file && name !== undefined ? { filename: name, ...resume.file } : undefined,
  };
}

export interface ApplicationStatus {
  status: 'lead' | 'new' | 'in-progress' | 'offered' | 'hired' | 'rejected';
  providerStatus: string;
}

/** Our status from Lever's stage, or from the archive reason (Hired-type reasons mean hired, any other rejected). */
export function applicationStatus(o: LeverOpportunity, reasons: Map<string, LeverArchiveReason>): ApplicationStatus {
  if (o.archived) {
    const reason = o.archived.reason ? reasons.get(o.archived.reason) : undefined;
    return {
      status: reason?.type === 'hired' ? 'hired' : 'rejected',
      providerStatus: `archived: ${reason?.text ?? o.archived.reason ?? 'unknown'}`,
    };
  }
  const stage = typeof o.stage === 'object' && o.stage ? o.stage : { id: o.stage ?? '', text: o.stage ?? '' };
  const text = stage.text || stage.id;
  if (stage.id.startsWith('lead-')) return { status: 'lead', providerStatus: text };
  if (stage.id === 'applicant-new') return { status: 'new', providerStatus: text };
  if (stage.id === 'offer') return { status: 'offered', providerStatus: text };
  return { status: 'in-progress', providerStatus: text };
}

function yearMonth(v: { year?: number | null; month?: number | null } | null | undefined): string | undefined {
  if (!v?.year) return undefined;
  return v.month ? `${v.year}-${String(v.month).padStart(2, '0')}` : String(v.year);
}

function compact(o: Record<string, string | null | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''));
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}
