import { LeverSettings } from '../../src/providers/lever/settings';

describe('Lever connector settings', () => {
  it('fills the seed’s defaults: 15-minute intervals, Lever’s own rate limit, resumes on', () => {
    const s = LeverSettings.parse({ companyCode: 'acme', postingState: 'published' });
    expect(s).toMatchObject({
      baseUrl: 'https://api.lever.co/v1',
      distributionChannel: 'public',
      syncResumes: true,
      importUnknownCandidates: true,
      jobsIntervalMinutes: 15,
      candidatesIntervalMinutes: 15,
      rateLimit: { perSecond: 9, burst: 18 },
      pageSize: 100,
    });
  });

  it('refuses a regex RE2 cannot run (e.g. a lookahead) with a readable issue at its path', () => {
    const r = LeverSettings.safeParse({
      companyCode: 'acme',
      postingState: 'published',
      remote: { field: 'location', remoteRegex: '(?=remote)', hybridRegex: '(' },
    });
    expect(r.success).toBe(false);
    const issues = r.error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues).toEqual([
      ['remote.remoteRegex', expect.stringContaining('not a valid regular expression')],
      ['remote.hybridRegex', expect.stringContaining('not a valid regular expression')],
    ]);
  });

  it('runs a catastrophic-backtracking pattern in linear time', () => {
    const s = LeverSettings.parse({
      companyCode: 'acme',
      postingState: 'published',
      remote: { field: 'location', remoteRegex: '^(a+)+$' },
    });
    const { userRegex } = require('../../src/sync/classify');
    const matcher = userRegex(s.remote?.remoteRegex);
    // Checked before the match: on JavaScript's own (backtracking) engine the match below would never return.
    expect(matcher).not.toBeInstanceOf(RegExp);
    expect(matcher.test(`${'a'.repeat(50_000)}!`)).toBe(false);
  });

  it('refuses unknown keys, a bad state, a bad company code and a bad start date', () => {
    const r = LeverSettings.safeParse({ companyCode: 'acme corp', postingState: 'closed', jobsStartDate: 'yesterday', colour: 'red' });
    expect(r.error?.issues.map((i) => i.path.join('.') || i.code).sort()).toEqual([
      'companyCode',
      'jobsStartDate',
      'postingState',
      'unrecognized_keys',
    ]);
  });
});
