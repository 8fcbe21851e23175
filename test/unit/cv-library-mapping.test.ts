import type { Job } from '../../src/domain/job';
import {
  CvLibraryAccountSettings,
  CvLibraryApplication,
  CvLibraryBoardSettings,
  CvLibraryJob,
  checkPostable,
  INDUSTRIES,
  JOB_TYPES,
  maskCredentials,
  NotPostableError,
  toCvLibraryJob,
  UnmappedJobTypeError,
} from '../../src/providers/cv-library';
import { cvLibraryBoard } from '../../src/providers/cv-library/board';
import { aJob } from '../fixtures/jobs';

const job = (overrides: Partial<Job> = {}): Job => ({
  ...aJob(),
  id: 'job_1',
  source: 'jobrelay',
  hidden: false,
  published: true,
  createdAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-01T09:00:00.000Z',
  ...overrides,
});

const ctx = {
  jobTypeMapping: { 'full-time': 'Permanent', contractor: 'Contract' } as const,
  industryMapping: { finance: 'Accounting/Financial/Insurance', it: 'IT' } as const,
  reference: 'jr-REQ-1042',
  posterEmail: 'poster@acme.example',
  directApplyUrl: 'https://jobrelay.example/v1/webhooks/cv-library/applications?s=abc',
  quickApply: true,
  expiryDays: 28,
};

const settings = (overrides: object = {}) => ({
  credentials: { clientId: 'acme', clientSecret: 'shh-very-secret' },
  jobTypeMapping: { 'full-time': 'Permanent' },
  industryMapping: { finance: 'Accounting/Financial/Insurance' },
  ...overrides,
});

describe('CV-Library job mapping', () => {
  it('maps a job to a CV-Library job the board schema accepts', () => {
    const mapped = toCvLibraryJob(job(), ctx);
    expect(mapped).toEqual({
      reference: 'jr-REQ-1042',
      title: 'Payroll Administrator',
      description: '<p>Run payroll for 400 staff.</p>',
      job_type: 'Permanent',
      industry: 'Accounting/Financial/Insurance',
      salary_from: 28000,
      salary_to: 32000,
      salary_period: 'annum',
      salary_currency: 'GBP',
      town: 'Leeds',
      county: 'West Yorkshire',
      postcode: 'LS1 4AP',
      country: 'GB',
      poster_email: 'poster@acme.example',
      direct_apply_url: ctx.directApplyUrl,
      cv_required: false,
      duration_days: 28,
    });
    expect(CvLibraryJob.parse(mapped)).toEqual(mapped);
  });

  it('refuses an employment status with no job type, naming it and the allowed types', () => {
    const run = () => toCvLibraryJob(job({ employmentStatus: 'zero-hours' }), ctx);
    expect(run).toThrow(UnmappedJobTypeError);
    expect(run).toThrow(
      'employment status "zero-hours" has no CV-Library job type: map it to one of Permanent, Contract, Temporary, Part time, Apprenticeship',
    );
  });

  it('does not take a mapping from the object prototype', () => {
    expect(() => toCvLibraryJob(job({ employmentStatus: 'toString' }), ctx)).toThrow(UnmappedJobTypeError);
  });

  it('lets a job type override win, and refuses one CV-Library does not know', () => {
    expect(toCvLibraryJob(job({ employmentStatus: 'zero-hours' }), { ...ctx, overrides: { jobType: 'Temporary' } }).job_type).toBe(
      'Temporary',
    );
    expect(() => toCvLibraryJob(job(), { ...ctx, overrides: { jobType: 'Freelance' } })).toThrow(
      /job type override "Freelance" is not a CV-Library job type/,
    );
  });

  it('posts an unmapped or missing category under Other', () => {
    expect(toCvLibraryJob(job({ category: 'astronomy' }), ctx).industry).toBe('Other');
    expect(toCvLibraryJob(job({ category: undefined }), ctx).industry).toBe('Other');
    expect(toCvLibraryJob(job({ category: 'it' }), ctx).industry).toBe('IT');
  });

  it('makes the CV mandatory when quick apply is off', () => {
    expect(toCvLibraryJob(job(), { ...ctx, quickApply: false }).cv_required).toBe(true);
    expect(toCvLibraryJob(job(), { ...ctx, quickApply: true }).cv_required).toBe(false);
  });

  it('sends the salary text override as salary benefits, and a job without salary or region', () => {
    const mapped = toCvLibraryJob(job({ salary: undefined, location: { city: 'York', postcode: 'YO1 7HH', country: 'GB' } }), {
      ...ctx,
      overrides: { salaryText: 'Competitive + pension' },
    });
    expect(mapped.salary_benefits).toBe('Competitive + pension');
    expect(mapped).not.toHaveProperty('salary_from');
    expect(mapped).not.toHaveProperty('county');
    expect(mapped).toMatchObject({ town: 'York', salary_period: 'annum', salary_currency: 'GBP' });
  });

  it('says in advance what stops a job from being posted', () => {
    const parsed = CvLibraryBoardSettings.parse(settings());
    expect(checkPostable(job(), parsed)).toEqual([]);
    expect(
      checkPostable(job({ employmentStatus: 'zero-hours', state: 'closed', location: { city: 'Leeds', country: 'GB' } }), parsed),
    ).toEqual([
      'the job is closed',
      'employment status "zero-hours" has no CV-Library job type: map it to one of Permanent, Contract, Temporary, Part time, Apprenticeship',
      'the job has no postcode: CV-Library requires one (the job’s location.postcode, or the posting’s postcode option)',
    ]);
    expect(checkPostable(job({ employmentStatus: 'zero-hours' }), parsed, { jobType: 'Contract' })).toEqual([]);
    expect(() => toCvLibraryJob(job({ location: { city: 'Leeds', country: 'GB' } }), ctx)).toThrow(NotPostableError);
  });
});

describe('CV-Library schemas and settings', () => {
  it('knows exactly the board’s job types and 32 industries', () => {
    expect(JOB_TYPES).toEqual(['Permanent', 'Contract', 'Temporary', 'Part time', 'Apprenticeship']);
    expect(INDUSTRIES).toHaveLength(32);
    expect(new Set(INDUSTRIES).size).toBe(32);
    expect(INDUSTRIES).toEqual(
      expect.arrayContaining(['Accounting/Financial/Insurance', 'Medical/Pharmaceutical/Scientific', 'Telecoms', 'Other']),
    );
  });

  it('fills the defaults of the board settings', () => {
    expect(CvLibraryBoardSettings.parse(settings())).toMatchObject({
      enabled: true,
      genericAccount: false,
      expiryDays: 28,
      repostLeadDays: 0,
    });
  });

  it('names the allowed values when a mapping is wrong', () => {
    const result = CvLibraryBoardSettings.safeParse(
      settings({ jobTypeMapping: { 'full-time': 'Fulltime' }, industryMapping: { finance: 'Finance' } }),
    );
    expect(result.success).toBe(false);
    const messages = Object.fromEntries(result.error!.issues.map((i) => [i.path.join('.'), i.message]));
    expect(messages['jobTypeMapping.full-time']).toBe(
      'job type must be one of Permanent, Contract, Temporary, Part time, Apprenticeship (got "Fulltime")',
    );
    expect(messages['industryMapping.finance']).toMatch(
      /^industry must be one of Accounting\/Financial\/Insurance, Administration, .*, Telecoms, Other \(got "Finance"\)$/,
    );
  });

  it('explains credentials of neither style, and the ranges of expiry and repost lead', () => {
    const creds = CvLibraryBoardSettings.safeParse(settings({ credentials: { apiKey: 'k' } }));
    expect(creds.error?.issues.map((i) => i.message)).toEqual([
      'credentials must be either {clientId, clientSecret} or {username, password}',
    ]);
    const ranges = CvLibraryBoardSettings.safeParse(settings({ expiryDays: 30, repostLeadDays: -1 }));
    expect(ranges.error?.issues.map((i) => i.message).sort()).toEqual([
      'expiryDays must be between 1 and 28',
      'repostLeadDays must be between 0 and 27',
    ]);
    const lead = CvLibraryBoardSettings.safeParse(settings({ expiryDays: 7, repostLeadDays: 7 }));
    expect(lead.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['repostLeadDays', 'repostLeadDays must be less than expiryDays'],
    ]);
  });

  it('requires a poster email of whoever posts: the generic account’s on the board, a recruiter’s on their account', () => {
    const board = CvLibraryBoardSettings.parse(settings({ genericAccount: true })) as CvLibraryBoardSettings; // as stored: credentials kept
    const account = (posterEmail?: string) =>
      CvLibraryAccountSettings.parse({ credentials: { username: 'u', password: 'p' }, posterEmail });
    expect(cvLibraryBoard.accountProblems(board)).toEqual([expect.stringContaining('the board settings have no posterEmail')]);
    expect(cvLibraryBoard.accountProblems({ ...board, posterEmail: 'jobs@acme.example' })).toEqual([]);
    // A recruiter's account never borrows the board's poster: it is not a poster on that account.
    expect(cvLibraryBoard.accountProblems({ ...board, posterEmail: 'jobs@acme.example' }, account())).toEqual([
      expect.stringContaining('the account has no posterEmail'),
    ]);
    expect(cvLibraryBoard.accountProblems(board, account('me@acme.example'))).toEqual([]);
  });

  it('says which job statuses the settings give a job type', () => {
    const board = CvLibraryBoardSettings.parse(settings()) as CvLibraryBoardSettings;
    expect(cvLibraryBoard.mapsJobStatus(board, 'full-time')).toBe(true);
    expect(cvLibraryBoard.mapsJobStatus(board, 'zero-hours')).toBe(false);
    expect(cvLibraryBoard.mapsJobStatus(board, 'toString')).toBe(false);
  });

  it('masks credentials of both styles without a trace of the secret', () => {
    const client = maskCredentials(CvLibraryBoardSettings.parse(settings()) as CvLibraryBoardSettings);
    expect(client.credentials).toEqual({ type: 'client', clientId: 'acme', secret: '••••' });
    expect(client.jobTypeMapping).toEqual({ 'full-time': 'Permanent' });
    const basic = maskCredentials({ credentials: { username: 'acme-api', password: 'hunter2-pass' }, posterEmail: 'p@acme.example' });
    expect(basic).toEqual({ credentials: { type: 'basic', username: 'acme-api', secret: '••••' }, posterEmail: 'p@acme.example' });
    expect(JSON.stringify([client, basic])).not.toMatch(/shh-very-secret|hunter2-pass|clientSecret|password/);
  });

  it('reads a DirectApply application, ignoring fields it does not know', () => {
    const application = CvLibraryApplication.parse({
      id: 123456,
      direct_apply_jobid: 'jr-REQ-1042',
      first_name: 'Amelia',
      last_name: 'Khan',
      phone: '07700 900123',
      town: 'Leeds',
      county: 'West Yorkshire',
      postcode: 'LS1 4AP',
      applied_at: '2026-03-02T10:00:00Z',
      job_title: 'Payroll Administrator',
      cv: { filename: 'cv.pdf', content_type: 'application/pdf', content: 'JVBERi0=' },
      tracking: 'ignored',
    });
    expect(application.id).toBe('123456');
    expect(application).not.toHaveProperty('tracking');
    expect(CvLibraryApplication.safeParse({ ...application, cv: { ...application.cv, content: 'not base64!' } }).success).toBe(false);
  });
});
