import { seededRandom } from '../seeded-random';

// Generated, seedable SmartRecruiters data for the sandbox: published postings with job ads, and candidates with
// per-job statuses, education/experience (for some), and attachments (a RESUME as PDF or DOCX, sometimes an avatar).

export interface Labelled {
  id: string;
  label: string;
}

export interface SandboxPosting {
  id: string;
  uuid: string;
  name: string;
  refNumber: string;
  releasedDate: string;
  location: { city: string; region: string; country: string; remote: boolean };
  industry: Labelled;
  department: Labelled & { description: string };
  function: Labelled;
  /** Only a label, as documented (the other attributes have an id too). */
  typeOfEmployment: { label: string };
  experienceLevel: Labelled;
  customField: Array<{ fieldId: string; fieldLabel: string; valueId: string; valueLabel: string }>;
  creator: { name: string };
  sections: Record<'companyDescription' | 'jobDescription' | 'qualifications' | 'additionalInformation', { title: string; text: string }>;
}

export interface SandboxAssignment {
  job: { id: string; title: string };
  status: string;
  subStatus: string | null;
  source: string;
}

export interface SandboxAttachment {
  id: string;
  name: string;
  type: 'RESUME' | 'AVATAR' | 'COVER_LETTER';
  contentType: string;
  /** The résumé's lines (its file is built from them on download). */
  lines: string[];
  format: 'pdf' | 'docx' | 'jpg';
}

export interface SandboxCandidate {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phoneNumber: string;
  location: { city: string; region: string; country: string };
  web: { linkedin?: string; website?: string };
  createdOn: string;
  /** ms; shown as ISO. */
  updatedOn: number;
  tags: string[];
  education: Array<{
    institution: string;
    degree: string;
    major: string;
    current: boolean;
    startDate: string;
    endDate: string;
    description: string;
  }>;
  experience: Array<{ title: string; company: string; current: boolean; startDate: string; endDate: string; description: string }>;
  primaryAssignment: SandboxAssignment;
  secondaryAssignments: SandboxAssignment[];
  attachments: SandboxAttachment[];
}

export const STATUSES = ['LEAD', 'NEW', 'IN_REVIEW', 'INTERVIEW', 'OFFERED', 'HIRED', 'REJECTED', 'WITHDRAWN', 'TRANSFERRED'];

const PLACES = [
  { city: 'Kraków', region: 'Małopolskie', country: 'pl', remote: false },
  { city: 'Warsaw', region: 'Mazowieckie', country: 'pl', remote: false },
  { city: 'London', region: 'England', country: 'gb', remote: false },
  { city: 'Leeds', region: 'England', country: 'gb', remote: true },
  { city: 'San Francisco', region: 'CA', country: 'us', remote: false },
  { city: '', region: 'Berlin', country: 'de', remote: false },
  { city: '', region: '', country: 'gb', remote: true },
  { city: '', region: '', country: 'us', remote: false },
];
const DEPARTMENTS = ['Engineering', 'Finance', 'People', 'Sales', 'Marketing'];
const FUNCTIONS = ['engineering', 'accounting', 'human_resources', 'sales', 'marketing'];
const EMPLOYMENT = ['Full-time', 'Part-time', 'Contract', 'Internship'];
const LEVELS = ['entry_level', 'associate', 'mid_senior_level', 'director'];
const TITLES = ['Payroll Specialist', 'Backend Engineer', 'Account Executive', 'Talent Partner', 'Data Analyst', 'Product Designer'];
const FIRST = ['Witek', 'Ana', 'Ben', 'Chloe', 'Dev', 'Ella', 'Femi', 'Grace', 'Hugo', 'Isla', 'Kasia', 'Lena'];
const LAST = ['Pulawski', 'Nowak', 'Smith', 'Patel', 'Jones', 'Garcia', 'Kowalska', 'Ito', 'Khan', 'Murphy'];
const COMPANIES = ['Acme Ltd', 'Globex', 'Initech', 'Umbrella plc', 'Hooli'];
const SCHOOLS = ['University of Leeds', 'Jagiellonian University', 'Imperial College London', 'UC Berkeley'];
const SOURCES = ['LinkedIn', 'Career site', 'Referral', 'Indeed'];

export interface SeedOptions {
  postings?: number;
  candidates?: number;
  /** Candidates get a RESUME attachment (most of them). Default true. */
  resumes?: boolean;
  seed?: number;
  company?: string;
}

export function generate(options: SeedOptions & { seed: number; company: string; now: number }) {
  const random = seededRandom(options.seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const iso = (ms: number) => new Date(ms).toISOString();
  const day = 86_400_000;

  const postings: SandboxPosting[] = Array.from({ length: options.postings ?? 0 }, (_, i) => {
    const title = pick(TITLES);
    const d = Math.floor(random() * DEPARTMENTS.length);
    return {
      id: String(70_000_000 + options.seed * 100_000 + i),
      uuid: uuid(),
      name: `${title}${i % 7 === 0 ? ' (Senior)' : ''}`,
      refNumber: `REF${options.seed}-${i}`,
      releasedDate: iso(options.now - Math.floor(random() * 300 * day)),
      location: { ...pick(PLACES) },
      industry: { id: 'internet', label: 'Internet' },
      department: { id: String(18_550 + d), label: DEPARTMENTS[d], description: `${DEPARTMENTS[d]} department` },
      function: { id: FUNCTIONS[d], label: DEPARTMENTS[d] },
      typeOfEmployment: { label: pick(EMPLOYMENT) },
      experienceLevel: (() => {
        const level = pick(LEVELS);
        return { id: level, label: level.replace(/_/g, ' ') };
      })(),
      customField: i % 5 === 0 ? [{ fieldId: 'cf-brand', fieldLabel: 'Brand', valueId: 'internal-only', valueLabel: 'Internal only' }] : [],
      creator: { name: `${pick(FIRST)} ${pick(LAST)}` },
      sections: {
        companyDescription: { title: 'Company Description', text: `<p>${options.company} builds things people use.</p>` },
        jobDescription: { title: 'Job Description', text: `<p>As our ${title} you will own your area end to end.</p>` },
        qualifications: { title: 'Qualifications', text: '<ul><li>Three years in a similar role</li></ul>' },
        additionalInformation: { title: 'Additional Information', text: '<p>Hybrid working, 26 days of holiday.</p>' },
      },
    };
  });

  const jobs = postings.length ? postings : [];
  const candidates: SandboxCandidate[] = Array.from({ length: options.candidates ?? 0 }, (_, i) => {
    const firstName = pick(FIRST);
    const lastName = pick(LAST);
    const created = options.now - 120_000 - Math.floor(random() * 200 * day);
    const assignment = (): SandboxAssignment => {
      const job = jobs.length ? pick(jobs) : { id: `job-${hex(6)}`, name: pick(TITLES) };
      const status = pick(STATUSES);
      return {
        job: { id: job.id, title: job.name },
        status,
        subStatus: status === 'INTERVIEW' ? pick(['Phone screen', 'Onsite']) : null,
        source: pick(SOURCES),
      };
    };
    const structured = i % 2 === 0;
    const company = pick(COMPANIES);
    const school = pick(SCHOOLS);
    const startYear = 2010 + Math.floor(random() * 8);
    const secondary = random() < 0.3 ? [assignment()] : [];
    const format = i % 3 === 0 ? 'docx' : 'pdf';
    const resumeLines = [
      `${firstName} ${lastName}`,
      'Experience',
      `${pick(TITLES)}, ${company}`,
      `Jan ${startYear + 4} - Present`,
      'Ran the team’s day-to-day work.',
      '',
      'Education',
      `BSc Economics, ${school}`,
      `${startYear} - ${startYear + 3}`,
    ];
    const attachments: SandboxAttachment[] =
      options.resumes === false || i % 10 === 9
        ? []
        : [
            {
              id: uuid(),
              name: `CV_${firstName}_${lastName}.${format}`,
              type: 'RESUME',
              contentType: format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
              lines: resumeLines,
              format,
            },
          ];
    if (i % 4 === 0)
      attachments.push({ id: uuid(), name: 'avatar.jpg', type: 'AVATAR', contentType: 'image/jpeg', lines: [], format: 'jpg' });
    return {
      id: uuid(),
      firstName,
      lastName,
      email: `${firstName}.${lastName}.${options.seed}.${i}@example.com`.toLowerCase(),
      phoneNumber: `+48 600 ${String(100_000 + i).slice(-6)}`,
      location: pick([
        { city: 'Kraków', region: 'Małopolskie', country: 'pl' },
        { city: 'Leeds', region: 'West Yorkshire', country: 'gb' },
      ]),
      web: { linkedin: `https://www.linkedin.com/in/${firstName}-${lastName}-${i}`.toLowerCase() },
      createdOn: iso(created),
      // Never in the future: each a distinct ms.
      updatedOn: Math.min(options.now - 60_000, created + Math.floor(random() * 10 * day)) - i,
      tags: i % 6 === 0 ? ['silver-medallist'] : [],
      education: structured
        ? [
            {
              institution: school,
              degree: 'BSc',
              major: 'Economics',
              current: false,
              startDate: String(startYear),
              endDate: String(startYear + 3),
              description: '',
            },
          ]
        : [],
      experience: structured
        ? [
            {
              title: 'Analyst',
              company,
              current: true,
              startDate: `${startYear + 4}-01`,
              endDate: '',
              description: 'Reporting and payroll.',
            },
          ]
        : [],
      primaryAssignment: assignment(),
      secondaryAssignments: secondary,
      attachments,
    };
  });
  return { postings, candidates };
}
