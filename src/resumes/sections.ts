// A small parser for the usual résumé layout: "Experience" and "Education" headings, entries of a header line
// ("Title, Company", "Degree, University") and a date range ("Jan 2019 – Present", "2012 - 2015"). What it cannot
// read as an entry is kept as text and counted, never guessed into fields.

export interface ParsedResume {
  experience: Array<Record<string, string | boolean>>;
  education: Array<Record<string, string | boolean>>;
  /** What could not be read, in words without the résumé's content (for counts in the sync status). */
  problems: string[];
}

type Section = 'experience' | 'education';

const HEADINGS: Record<string, Section> = Object.fromEntries([
  ...[
    'experience',
    'work experience',
    'professional experience',
    'relevant experience',
    'employment',
    'employment history',
    'work history',
    'career history',
  ].map((h) => [h, 'experience' as const]),
  ...['education', 'education and training', 'academic background', 'academic history', 'studies'].map((h) => [h, 'education' as const]),
]);

/** Other headings end a section. */
const OTHER_HEADINGS = new Set([
  'skills',
  'key skills',
  'languages',
  'interests',
  'hobbies',
  'references',
  'profile',
  'summary',
  'personal statement',
  'about me',
  'certifications',
  'certificates',
  'projects',
  'contact',
  'awards',
  'publications',
  'volunteering',
  'courses',
  'training',
]);

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';
const POINT = `(?:${MONTH}\\s+\\d{4}|\\d{1,2}[/.]\\d{4}|\\d{4}[-/.]\\d{1,2}|\\d{4})`;
const OPEN_END = '(?:present|current|now|today|ongoing)';
const RANGE = new RegExp(`(${POINT})\\s*(?:-|–|—|to|until)\\s*(${POINT}|${OPEN_END})`, 'i');
const SINGLE_YEAR = new RegExp(`^\\(?(${POINT})\\)?$`, 'i');

const INSTITUTION = /\b(university|universit[àé]|college|school|institute|academy|polytechnic|hochschule|politechnika|uniwersytet)\b/i;

export function parseResumeSections(text: string): ParsedResume {
  const out: ParsedResume = { experience: [], education: [], problems: [] };
  const sections = splitSections(text);
  if (!sections.experience && !sections.education) {
    out.problems.push('résumé: no Experience or Education heading');
    return out;
  }
  for (const section of ['experience', 'education'] as const) {
    for (const entry of entriesOf(sections[section] ?? [])) {
      const parsed = section === 'experience' ? experienceOf(entry) : educationOf(entry);
      if (parsed) out[section].push(parsed);
      else {
        out[section].push({ source: 'resume', unparsed: entry.join('\n') });
        out.problems.push(`résumé: ${section} entry not parsed`);
      }
    }
  }
  return out;
}

/** The lines under each wanted heading (blank lines kept as ''). */
function splitSections(text: string): Partial<Record<Section, string[]>> {
  const sections: Partial<Record<Section, string[]>> = {};
  let current: Section | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+/g, ' ').trim();
    const heading = headingOf(line);
    if (heading !== undefined) {
      current = heading || undefined;
      if (current) sections[current] ??= [];
      continue;
    }
    if (current) sections[current]?.push(line);
  }
  return sections;
}

/** A wanted section, '' for another heading, undefined for an ordinary line. */
function headingOf(line: string): Section | '' | undefined {
  const key = line
    .toLowerCase()
    .replace(/[:•\-–—_=*#|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!key || key.split(' ').length > 4) return undefined;
  if (HEADINGS[key]) return HEADINGS[key];
  if (OTHER_HEADINGS.has(key)) return '';
  return undefined;
}

/**
 * Entries start at their date range: a date line with no other text takes the undated line just above it as its
 * header; lines after it (until the next entry) are its summary. Without any date, each block between blank lines
 * is an entry (which then cannot be parsed). Lines before the first entry are one entry of their own.
 */
function entriesOf(lines: string[]): string[][] {
  const filled = lines.filter(Boolean);
  const dated = filled.map((l, i) => (RANGE.test(l) || SINGLE_YEAR.test(l) ? i : -1)).filter((i) => i >= 0);
  if (dated.length === 0) {
    const blocks: string[][] = [[]];
    for (const line of lines) {
      if (line) blocks[blocks.length - 1].push(line);
      else if (blocks[blocks.length - 1].length) blocks.push([]);
    }
    return blocks.filter((b) => b.length);
  }
  const starts: number[] = [];
  for (const i of dated) {
    const onlyDate = !stripSeparators(filled[i].replace(RANGE, '').replace(SINGLE_YEAR, ''));
    const start = onlyDate && i > 0 && !dated.includes(i - 1) && !starts.includes(i - 1) ? i - 1 : i;
    if (!starts.includes(start) && start > (starts.at(-1) ?? -1)) starts.push(start);
  }
  const entries = starts.map((start, k) => filled.slice(start, starts[k + 1] ?? filled.length));
  return starts[0] > 0 ? [filled.slice(0, starts[0]), ...entries] : entries;
}

interface Dated {
  header: string;
  rest: string[];
  startDate?: string;
  endDate?: string;
  current?: boolean;
}

/** The entry's dates, its header (the first line that is not only a date) and the rest. */
function dated(entry: string[]): Dated | undefined {
  let startDate: string | undefined;
  let endDate: string | undefined;
  let current: boolean | undefined;
  const lines: string[] = [];
  for (const line of entry) {
    const range = startDate === undefined ? RANGE.exec(line) : null;
    if (range) {
      startDate = normaliseDate(range[1]);
      if (new RegExp(`^${OPEN_END}$`, 'i').test(range[2])) current = true;
      else endDate = normaliseDate(range[2]);
      const left = stripSeparators(line.replace(range[0], ''));
      if (left) lines.push(left);
      continue;
    }
    const single = startDate === undefined ? SINGLE_YEAR.exec(line) : null;
    if (single) {
      endDate = normaliseDate(single[1]);
      startDate = endDate;
      continue;
    }
    lines.push(line);
  }
  if (startDate === undefined || lines.length === 0) return undefined;
  const [header, ...rest] = lines;
  return { header, rest, startDate, endDate, current };
}

function experienceOf(entry: string[]): Record<string, string | boolean> | undefined {
  const d = dated(entry);
  if (!d) return undefined;
  const [title, company] = splitHeader(d.header);
  return compact({
    source: 'resume',
    title,
    company,
    startDate: d.startDate,
    endDate: d.endDate,
    current: d.current,
    summary: d.rest.join('\n'),
  });
}

function educationOf(entry: string[]): Record<string, string | boolean> | undefined {
  const d = dated(entry);
  if (!d) return undefined;
  const [a, b] = splitHeader(d.header);
  // Whichever part names a university, college or school is the institution; the other is the degree.
  const [institution, degree] = b && INSTITUTION.test(a) && !INSTITUTION.test(b) ? [a, b] : b ? [b, a] : [a, undefined];
  return compact({
    source: 'resume',
    institution,
    degree,
    startDate: d.startDate,
    endDate: d.endDate,
    current: d.current,
    summary: d.rest.join('\n'),
  });
}

/** "Title, Company", "Title at Company", "Title | Company", "Title — Company". */
function splitHeader(header: string): [string, string | undefined] {
  const match = /^(.+?)\s*(?:,|\||\s[-–—]\s|\sat\s|\s@\s)\s*(.+)$/i.exec(header);
  return match ? [match[1].trim(), match[2].trim()] : [header.trim(), undefined];
}

function normaliseDate(value: string): string {
  const v = value.trim().toLowerCase();
  const named = new RegExp(`^(${MONTH})\\s+(\\d{4})$`).exec(v);
  if (named) return `${named[2]}-${String(MONTHS.indexOf(named[1].slice(0, 3)) + 1).padStart(2, '0')}`;
  const monthYear = /^(\d{1,2})[/.](\d{4})$/.exec(v);
  if (monthYear) return `${monthYear[2]}-${monthYear[1].padStart(2, '0')}`;
  const yearMonth = /^(\d{4})[-/.](\d{1,2})$/.exec(v);
  if (yearMonth) return `${yearMonth[1]}-${yearMonth[2].padStart(2, '0')}`;
  return v;
}

function stripSeparators(s: string): string {
  return s.replace(/^[\s,|()–—-]+|[\s,|()–—-]+$/g, '').trim();
}

function compact(o: Record<string, string | boolean | undefined>): Record<string, string | boolean> {
  return Object.fromEntries(
    Object.entries(o).filter((e): e is [string, string | boolean] => e[1] === true || (typeof e[1] === 'string' && e[1].trim() !== '')),
  );
}
