import { seededRandom } from '../seeded-random';
// Generated, seedable Lever data for the sandbox: postings, opportunities with applications and resumes.

export interface SandboxPosting {
  id: string;
  text: string;
  createdAt: number;
  updatedAt: number;
  /** The user who created it. */
  user: string;
  owner: string;
  hiringManager: string;
  followers: string[];
  confidentiality: 'confidential' | 'non-confidential';
  categories: { team?: string; department?: string; location?: string; allLocations?: string[]; commitment?: string; level?: string };
  content: {
    description: string;
    descriptionHtml: string;
    lists: Array<{ text: string; content: string }>;
    closing: string;
    closingHtml: string;
  };
  country: string | null;
  tags: string[];
  state: 'published' | 'internal' | 'closed' | 'draft' | 'pending' | 'rejected';
  distributionChannels: Array<'public' | 'internal'>;
  reqCode: string;
  salaryRange?: { min: number; max: number; currency: string; interval: string };
  salaryDescription: string;
  salaryDescriptionHtml: string;
  workplaceType: 'unspecified' | 'on-site' | 'remote' | 'hybrid';
}

export interface SandboxResume {
  id: string;
  createdAt: number;
  file: { name: string; ext: string; uploadedAt: number; status: string; size: number; contentType: string; bytes: Buffer };
  parsedData: {
    positions: Array<{
      org: string;
      title: string;
      summary: string;
      location: string;
      start: { year: number; month: number };
      end?: { year: number; month: number };
    }>;
    schools: Array<{ org: string; degree: string; field: string; start: { year: number }; end: { year: number } }>;
  };
}

export interface SandboxApplication {
  id: string;
  type: 'posting' | 'user' | 'referral';
  opportunityId: string;
  candidateId: string;
  posting: string | null;
  createdAt: number;
  archived: { reason: string; archivedAt: number } | null;
}

export interface SandboxOpportunity {
  id: string;
  name: string;
  headline: string;
  contact: string;
  emails: string[];
  phones: Array<{ type: string; value: string }>;
  confidentiality: 'confidential' | 'non-confidential';
  location: string;
  links: string[];
  archived: { reason: string; archivedAt: number } | null;
  createdAt: number;
  updatedAt: number;
  lastInteractionAt: number;
  stage: string;
  owner: string;
  tags: string[];
  sources: string[];
  origin: string;
  applications: SandboxApplication[];
  resumes: SandboxResume[];
}

export const STAGES = [
  { id: 'lead-new', text: 'New lead' },
  { id: 'lead-reached-out', text: 'Reached out' },
  { id: 'applicant-new', text: 'New applicant' },
  { id: 'phone-screen', text: 'Phone screen' },
  { id: 'on-site', text: 'On-site interview' },
  { id: 'offer', text: 'Offer' },
];

export const ARCHIVE_REASONS = [
  { id: 'hired', text: 'Hired', status: 'active', type: 'hired' },
  { id: 'underqualified', text: 'Underqualified', status: 'active', type: 'non-hired' },
  { id: 'withdrew', text: 'Withdrew', status: 'active', type: 'non-hired' },
  { id: 'position-filled', text: 'Position filled', status: 'active', type: 'non-hired' },
];

export const USERS = Array.from({ length: 5 }, (_, i) => ({
  id: `user-${i + 1}`,
  name: ['Priya Shah', 'Tom Baker', 'Ana Silva', 'Jon Kim', 'Lee Wong'][i],
  email: `${['priya', 'tom', 'ana', 'jon', 'lee'][i]}@acme.example`,
  accessRole: i === 0 ? 'super admin' : 'team member',
}));

const LOCATIONS = [
  'London',
  'Leeds',
  'Manchester, UK',
  'Remote - UK',
  'Remote (EMEA)',
  'London (Hybrid)',
  'Bristol - hybrid',
  'Berlin',
  'New York, NY',
  '',
];
const TEAMS = ['Engineering', 'Sales', 'Finance', 'People', 'Marketing'];
const TITLES = ['Payroll Administrator', 'Backend Engineer', 'Account Executive', 'Recruiter', 'Data Analyst', 'Product Designer'];
const FIRST = ['Amira', 'Ben', 'Chloe', 'Dev', 'Ella', 'Femi', 'Grace', 'Hugo', 'Isla', 'Jack', 'Kai', 'Lena'];
const LAST = ['Okafor', 'Smith', 'Nowak', 'Patel', 'Jones', 'Garcia', 'Brown', 'Ito', 'Khan', 'Murphy'];

export interface SeedOptions {
  postings?: number;
  opportunities?: number;
  /** Give each opportunity a resume (a small PDF with parsed positions and schools). */
  resumes?: boolean;
  /** Records are created and updated between these times (ms). */
  from?: number;
  to?: number;
  confidentialShare?: number;
  seed?: number;
}

export function generate(options: SeedOptions): { postings: SandboxPosting[]; opportunities: SandboxOpportunity[] } {
  const random = seededRandom(options.seed ?? 42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const to = options.to ?? Date.now() - 60 * 60_000;
  const from = options.from ?? to - 365 * 24 * 3600_000;
  const time = () => Math.floor(from + random() * (to - from));
  const confidentialShare = options.confidentialShare ?? 0.05;
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  };

  const postings: SandboxPosting[] = Array.from({ length: options.postings ?? 0 }, () => {
    const createdAt = time();
    const r = random();
    const state = r < 0.6 ? 'published' : r < 0.75 ? 'internal' : r < 0.9 ? 'closed' : 'draft';
    const c = random();
    const distributionChannels: SandboxPosting['distributionChannels'] =
      state !== 'published' ? [] : c < 0.5 ? ['public'] : c < 0.7 ? ['internal'] : ['public', 'internal'];
    const location = pick(LOCATIONS);
    const title = pick(TITLES);
    // Drawn in this order so a seed keeps giving the same data.
    const id = uuid();
    const updatedAt = Math.min(to, createdAt + Math.floor(random() * 30 * 24 * 3600_000));
    const owner = pick(USERS).id;
    const hiringManager = pick(USERS).id;
    return {
      id,
      text: title,
      createdAt,
      updatedAt,
      user: owner,
      owner,
      hiringManager,
      followers: [owner, hiringManager],
      confidentiality: random() < confidentialShare ? 'confidential' : 'non-confidential',
      categories: {
        team: pick(TEAMS),
        department: pick(TEAMS),
        location,
        allLocations: location ? [location] : [],
        commitment: pick(['Full-time', 'Part-time', 'Contract']),
        level: 'Mid',
      },
      content: {
        description: `${title} at Acme.`,
        descriptionHtml: `<p>${title} at Acme.</p>`,
        lists: [{ text: 'Requirements', content: '<li>Experience</li><li>Curiosity</li>' }],
        closing: 'Apply today.',
        closingHtml: '<p>Apply today.</p>',
      },
      country: location.includes('New York') ? 'US' : location.includes('Berlin') ? 'DE' : 'GB',
      tags: random() < 0.1 ? ['Evergreen'] : [],
      state,
      distributionChannels,
      reqCode: `REQ-${Math.floor(random() * 9000 + 1000)}`,
      salaryRange: random() < 0.5 ? { min: 30000, max: 45000, currency: 'GBP', interval: 'per-year-salary' } : undefined,
      salaryDescription: '',
      salaryDescriptionHtml: '',
      workplaceType: location.toLowerCase().includes('remote')
        ? 'remote'
        : location.toLowerCase().includes('hybrid')
          ? 'hybrid'
          : 'on-site',
    };
  });
  const published = postings.filter((p) => p.state === 'published');

  const opportunities: SandboxOpportunity[] = [];
  for (let i = 0; i < (options.opportunities ?? 0); i++) {
    const createdAt = time();
    const updatedAt = Math.min(to, createdAt + Math.floor(random() * 14 * 24 * 3600_000));
    // One person in twenty applies twice: a second opportunity on the same contact.
    const previous = i > 0 && random() < 0.05 ? opportunities[Math.floor(random() * opportunities.length)] : undefined;
    const first = previous ? previous.name.split(' ')[0] : pick(FIRST);
    const last = previous ? previous.name.split(' ').slice(1).join(' ') : pick(LAST);
    const id = uuid();
    const email = previous?.emails[0] ?? `${first}.${last}.${options.seed ?? 42}-${i}@mail.example`.toLowerCase();
    const archived = random() < 0.2 ? { reason: pick(ARCHIVE_REASONS).id, archivedAt: updatedAt } : null;
    const posting = published.length && random() < 0.9 ? pick(published) : undefined;
    const resumes: SandboxResume[] = options.resumes ? [resumeFor(uuid(), id, `${first} ${last}`, createdAt, random)] : [];
    opportunities.push({
      id,
      name: `${first} ${last}`,
      headline: `${pick(['Acme', 'Globex', 'Initech'])}, ${pick(TITLES)}`,
      contact: previous?.contact ?? uuid(),
      emails: [email],
      phones: [{ type: 'mobile', value: `+44 7700 9${String(i % 100000).padStart(5, '0')}` }],
      confidentiality: random() < confidentialShare ? 'confidential' : 'non-confidential',
      location: pick(LOCATIONS.filter(Boolean)),
      links: [],
      archived,
      createdAt,
      updatedAt,
      lastInteractionAt: updatedAt,
      stage: pick(STAGES).id,
      owner: pick(USERS).id,
      tags: [],
      sources: [pick(['LinkedIn', 'Job site', 'Referral', 'Careers page'])],
      origin: posting ? 'applied' : 'sourced',
      applications: posting
        ? [{ id: uuid(), type: 'posting', opportunityId: id, candidateId: id, posting: posting.id, createdAt, archived }]
        : [],
      resumes,
    });
  }
  return { postings, opportunities };
}

function resumeFor(resumeId: string, opportunityId: string, name: string, at: number, random: () => number): SandboxResume {
  const year = 2010 + Math.floor(random() * 10);
  const bytes = Buffer.from(`%PDF-1.4\n% resume of ${name} (${opportunityId})\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n`);
  return {
    id: resumeId,
    createdAt: at,
    file: {
      name: `${name.replace(/\s+/g, '_')}_CV.pdf`,
      ext: 'pdf',
      uploadedAt: at,
      status: 'processed',
      size: bytes.length,
      contentType: 'application/pdf',
      bytes,
    },
    parsedData: {
      positions: [
        {
          org: 'Globex',
          title: 'Analyst',
          summary: 'Reporting',
          location: 'Leeds',
          start: { year, month: 3 },
          end: { year: year + 3, month: 6 },
        },
      ],
      schools: [{ org: 'University of Leeds', degree: 'BSc', field: 'Economics', start: { year: year - 4 }, end: { year: year - 1 } }],
    },
  };
}
