import { applicationStatus, candidateFields, decidePosting } from '../../src/providers/lever/mapping';
import { LeverOpportunity, LeverPosting } from '../../src/providers/lever/schemas';
import type { LeverSettings } from '../../src/providers/lever/settings';
import { aPosting, leverSettings } from '../fixtures/lever';

const imported = (posting: LeverPosting, settings: LeverSettings) => {
  const d = decidePosting(posting, settings);
  if (d.action !== 'import') throw new Error(`expected an import, got ${JSON.stringify(d)}`);
  return d.job;
};

describe('Lever postings → jobs', () => {
  it('maps a published public posting to an open, published job with its description, salary and recruiter', () => {
    const job = imported(aPosting(), leverSettings());
    expect(job).toMatchObject({
      title: 'Backend Engineer',
      reference: 'REQ-1',
      location: { city: 'London', country: 'GB' },
      workplace: 'onsite',
      salary: { min: 50000, max: 70000, currency: 'GBP', period: 'annum' },
      employmentStatus: 'Full-time',
      category: 'Product',
      recruiter: { name: 'Priya Shah', email: 'priya@acme.example' },
      state: 'open',
      source: 'lever',
      externalId: aPosting().id,
      hidden: false,
      published: true,
    });
    expect(job.description).toBe('<p>Build things.</p>\n<h3>Requirements</h3><ul><li>TypeScript</li></ul>\n<p>Apply.</p>');
  });

  it('keeps what a careers page shows: the description in headed sections, the department, when Lever posted it', () => {
    const job = imported(aPosting(), leverSettings());
    expect(job.sections).toEqual([
      { html: '<p>Build things.</p>' },
      { title: 'Requirements', html: '<ul><li>TypeScript</li></ul>' },
      { html: '<p>Apply.</p>' },
    ]);
    expect(job.department).toBe('Product');
    expect(job.postedAt).toBe(new Date(1_700_000_000_000).toISOString());
    const teamOnly = imported(aPosting({ categories: { team: 'Engineering', location: 'Leeds' } }), leverSettings());
    expect(teamOnly.department).toBe('Engineering');
    const plain = imported(aPosting({ content: { description: 'Plain <text>', lists: [] } }), leverSettings());
    expect(plain.sections).toEqual([{ html: '<p>Plain &lt;text&gt;</p>' }]);
  });

  it('links to Lever’s own apply page when the posting gives one, else to the company code’s hosted apply page', () => {
    const own = 'https://jobs.lever.co/acme-eu/a1b2c3d4-0000-4000-a000-000000000001/apply';
    expect(imported(aPosting({ urls: { apply: own } }), leverSettings()).applyUrl).toBe(own);
    expect(imported(aPosting({ urls: null }), leverSettings({ companyCode: 'globex' })).applyUrl).toBe(
      `https://jobs.lever.co/globex/${aPosting().id}/apply`,
    );
    expect(imported(aPosting({ urls: { apply: 'javascript:alert(1)' } }), leverSettings()).applyUrl).toBe(
      `https://jobs.lever.co/acme/${aPosting().id}/apply`,
    );
  });

  describe('distribution channel is an exact match, not Lever’s union', () => {
    const cases: Array<[string, string[], boolean]> = [
      ['public', ['public'], true],
      ['public', ['public', 'internal'], false],
      ['internal', ['internal'], true],
      ['internal', ['internal', 'public'], false],
      ['public-and-internal', ['internal', 'public'], true],
      ['public-and-internal', ['public'], false],
      ['public', [], false],
    ];
    it.each(cases)('setting %s, posting on %j → imported: %s', (channel, channels, expected) => {
      const d = decidePosting(aPosting({ distributionChannels: channels }), leverSettings({ distributionChannel: channel }));
      expect(d.action === 'import').toBe(expected);
      if (!expected) expect(d).toMatchObject({ action: 'unpublish', reason: `channel ${[...channels].sort().join('+') || 'none'}` });
    });
  });

  it('filters on the posting state: internal postings only for an "internal" connector; a closed one unpublishes', () => {
    expect(decidePosting(aPosting({ state: 'internal', distributionChannels: [] }), leverSettings()).action).toBe('unpublish');
    expect(
      decidePosting(aPosting({ state: 'internal', distributionChannels: [] }), leverSettings({ postingState: 'internal' })).action,
    ).toBe('import');
    expect(decidePosting(aPosting({ state: 'closed' }), leverSettings())).toEqual({
      action: 'unpublish',
      state: 'closed',
      reason: 'state closed',
    });
    expect(decidePosting(aPosting({ state: 'draft' }), leverSettings())).toMatchObject({ action: 'unpublish', state: 'open' });
  });

  it('does not publish a posting without a location, saying why (one held already comes off the careers site)', () => {
    const unpublished = { action: 'unpublish', state: 'open', reason: 'no location' };
    expect(decidePosting(aPosting({ categories: { team: 'Sales', location: '  ' } }), leverSettings())).toEqual(unpublished);
    expect(decidePosting(aPosting({ categories: { team: 'Sales' } }), leverSettings())).toEqual(unpublished);
  });

  it('identifies remote and hybrid jobs by the user’s regexes on categories.location', () => {
    const settings = leverSettings({ remote: { field: 'location', remoteRegex: '^remote\\b|anywhere', hybridRegex: 'hybrid' } });
    const at = (location: string) => imported(aPosting({ categories: { location } }), settings).workplace;
    expect(at('Remote - UK')).toBe('remote');
    expect(at('Work from anywhere')).toBe('remote');
    expect(at('London (Hybrid)')).toBe('hybrid');
    expect(at('Leeds')).toBe('onsite');
  });

  it('identifies remote jobs by workplaceType, with or without regexes', () => {
    const byType = leverSettings({ remote: { field: 'workplaceType' } });
    expect(imported(aPosting({ workplaceType: 'remote' }), byType).workplace).toBe('remote');
    expect(imported(aPosting({ workplaceType: 'hybrid' }), byType).workplace).toBe('hybrid');
    const byRegex = leverSettings({ remote: { field: 'workplaceType', remoteRegex: '^remote$' } });
    expect(imported(aPosting({ workplaceType: 'hybrid' }), byRegex).workplace).toBe('onsite');
    expect(imported(aPosting({ workplaceType: 'remote' }), byRegex).workplace).toBe('remote');
  });

  it('flags a job hidden by tag, team or department (case-insensitive), and still imports it', () => {
    const settings = leverSettings({ hiddenJobs: { tags: ['evergreen'], teams: ['People'] } });
    expect(imported(aPosting({ tags: ['Evergreen'] }), settings).hidden).toBe(true);
    expect(imported(aPosting({ categories: { team: 'people', location: 'Leeds' } }), settings).hidden).toBe(true);
    expect(imported(aPosting({ tags: ['Urgent'] }), settings).hidden).toBe(false);
  });

  it('reads a recorded v1 payload, ignoring fields it does not know', () => {
    const raw = { ...aPosting(), owner: 'user-1', somethingNew: { x: 1 }, content: undefined };
    const posting = LeverPosting.parse(raw);
    expect(imported(posting, leverSettings())).toMatchObject({ recruiter: { name: '', email: '' }, description: '<p></p>' });
  });
});

describe('Lever opportunities → candidates and applications', () => {
  const opportunity = LeverOpportunity.parse({
    id: 'opp-1',
    name: 'Amira Ben Okafor',
    contact: 'contact-1',
    emails: ['Amira@Mail.example'],
    phones: [{ type: 'mobile', value: '+44 7700 900001' }],
    location: 'Leeds',
    updatedAt: 1,
    stage: { id: 'phone-screen', text: 'Phone screen' },
  });

  it('splits the name and keeps the parsed resume’s positions and schools', () => {
    const fields = candidateFields(opportunity, {
      id: 'r1',
      parsedData: {
        positions: [{ org: 'Globex', title: 'Analyst', start: { year: 2019, month: 3 }, end: null }],
        schools: [{ org: 'Leeds Uni', degree: 'BSc', start: { year: 2015 }, end: { year: 2018 } }],
      },
    });
    expect(fields).toEqual({
      firstName: 'Amira',
      lastName: 'Ben Okafor',
      email: 'Amira@Mail.example',
      phone: '+44 7700 900001',
      location: { city: 'Leeds' },
      experience: [{ title: 'Analyst', company: 'Globex', startDate: '2019-03' }],
      education: [{ institution: 'Leeds Uni', degree: 'BSc', startDate: '2015', endDate: '2018' }],
    });
  });

  it('derives our status from the stage, or from the archive reason type', () => {
    const reasons = new Map([
      ['hired', { id: 'hired', text: 'Hired', type: 'hired' }],
      ['withdrew', { id: 'withdrew', text: 'Withdrew', type: 'non-hired' }],
    ]);
    expect(applicationStatus(opportunity, reasons)).toEqual({ status: 'in-progress', providerStatus: 'Phone screen' });
    expect(applicationStatus({ ...opportunity, stage: 'lead-new' }, reasons).status).toBe('lead');
    expect(applicationStatus({ ...opportunity, stage: { id: 'offer', text: 'Offer' } }, reasons).status).toBe('offered');
    expect(applicationStatus({ ...opportunity, archived: { reason: 'hired', archivedAt: 2 } }, reasons)).toEqual({
      status: 'hired',
      providerStatus: 'archived: Hired',
    });
    expect(applicationStatus({ ...opportunity, archived: { reason: 'withdrew', archivedAt: 2 } }, reasons).status).toBe('rejected');
  });
});
