import fs from 'node:fs';
import path from 'node:path';
import { applicationStatus, decidePosting, isHiddenPosting, personOf } from '../../src/providers/smartrecruiters/mapping';
import { SrCandidate, SrCandidateItem, SrPosting } from '../../src/providers/smartrecruiters/schemas';
import { SmartRecruitersSettings } from '../../src/providers/smartrecruiters/settings';

// SmartRecruiters → jobrelay on the documented examples (test/contracts/examples).

const example = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '../contracts/examples', `${name}.json`), 'utf8'));
const settings = (overrides: Record<string, unknown> = {}) =>
  SmartRecruitersSettings.parse({ companyIdentifier: 'smartrecruiters', ...overrides });

describe('SmartRecruiters mapping', () => {
  it('maps a posting’s details to our job: place, remote, type, function, department, level, ref, release, apply URL, sections', () => {
    const decision = decidePosting(SrPosting.parse(example('smartrecruiters-posting')), settings());
    expect(decision).toMatchObject({
      action: 'import',
      job: {
        externalId: '75551135',
        reference: 'REF12345',
        title: 'Director, Customer Engagement',
        location: { city: 'San Francisco', region: 'CA', country: 'US' },
        workplace: 'remote',
        employmentStatus: 'Full-time',
        category: 'Marketing',
        department: 'Marketing',
        experienceLevel: 'Director',
        postedAt: '2014-02-19T19:36:42.346Z',
        applyUrl: 'https://jobs.smartrecruiters.com/smartrecruiters/75551135-director-customer-engagement?oga=true',
        hidden: false,
        published: true,
        state: 'open',
      },
    });
    if (decision.action !== 'import') throw new Error('not imported');
    expect(decision.job.sections?.map((s) => s.title)).toEqual([
      'Company Description',
      'Job Description',
      'Qualifications',
      'Additional Information',
    ]);
    expect(decision.job.description).toContain('<h3>Qualifications</h3>\n<ul><li>Ten years in customer success</li></ul>');
  });

  it('places a posting open across a country in that country, unpublishes one with no place or released before the jobs start date', () => {
    const posting = SrPosting.parse(example('smartrecruiters-posting'));
    const countryWide = decidePosting({ ...posting, location: { city: '', region: '', country: 'us', remote: false } }, settings());
    expect(countryWide).toMatchObject({
      action: 'import',
      job: { location: { city: 'United States', country: 'US' }, workplace: 'onsite' },
    });
    expect(decidePosting({ ...posting, location: { city: '', country: '', remote: false } }, settings())).toEqual({
      action: 'unpublish',
      state: 'open',
      reason: 'no location',
    });
    expect(decidePosting(posting, settings({ jobsStartDate: '2020-01-01' }))).toMatchObject({ action: 'unpublish' });
  });

  it('hides a posting by department, function, type, level, country or custom field value (labels or ids, any case)', () => {
    const posting = SrPosting.parse(example('smartrecruiters-postings-page').content[0]);
    expect(isHiddenPosting(posting, undefined)).toBe(false);
    expect(isHiddenPosting(posting, { departments: ['marketing'] })).toBe(true);
    expect(isHiddenPosting(posting, { experienceLevels: ['DIRECTOR'] })).toBe(true);
    expect(isHiddenPosting(posting, { countries: ['US'] })).toBe(true);
    expect(isHiddenPosting(posting, { customFields: [{ field: 'Brand', values: ['main'] }] })).toBe(true);
    expect(isHiddenPosting(posting, { customFields: [{ field: 'Brand', values: ['Other'] }], functions: ['Sales'] })).toBe(false);
  });

  it('maps every documented status to ours and keeps SmartRecruiters’ own; an undocumented one is unmapped', () => {
    const mapped = ['LEAD', 'NEW', 'IN_REVIEW', 'INTERVIEW', 'OFFERED', 'HIRED', 'REJECTED', 'WITHDRAWN', 'TRANSFERRED'].map((status) =>
      applicationStatus({ status, subStatus: null }),
    );
    expect(mapped.map((m) => m.status)).toEqual([
      'lead',
      'new',
      'in-progress',
      'interview',
      'offered',
      'hired',
      'rejected',
      'withdrawn',
      'transferred',
    ]);
    expect(applicationStatus({ status: 'interview', subStatus: 'Onsite' })).toEqual({
      status: 'interview',
      providerStatus: 'INTERVIEW / Onsite',
    });
    expect(applicationStatus({ status: 'ON_HOLD', subStatus: null })).toEqual({ status: 'unmapped', providerStatus: 'ON_HOLD' });
  });

  it('makes one person from the list item and details: history from SmartRecruiters first, else from the résumé', () => {
    const item = SrCandidateItem.parse(example('smartrecruiters-candidates-page').content[0]);
    const details = SrCandidate.parse(example('smartrecruiters-candidate'));
    const person = personOf({ item, details }, settings());
    expect(person).toMatchObject({
      externalId: '788dfc72-0ec2-4bfa-9dcf-4c2e1a2b3c4d',
      referrer: 'LinkedIn',
      createIfUnknown: true,
      fields: {
        firstName: 'Witek',
        lastName: 'Pulawski',
        email: 'witek.pulawski@example.com',
        phone: '+48 600 100 200',
        location: { city: 'Kraków', region: 'Małopolskie', country: 'PL' },
        education: [
          {
            institution: 'AGH University of Science and Technology',
            degree: 'MSc',
            field: 'Computer Science',
            current: false,
            startDate: '2004',
            endDate: '2010',
          },
        ],
        experience: [{ title: 'Backend Engineer', company: 'SmartRecruiters', current: true, startDate: '2014-01', summary: 'APIs.' }],
      },
      applications: [
        {
          externalId: '788dfc72-0ec2-4bfa-9dcf-4c2e1a2b3c4d:3c6f2a7e-5b1d-4e8f-9a0b-1c2d3e4f5a6b',
          jobExternalId: '3c6f2a7e-5b1d-4e8f-9a0b-1c2d3e4f5a6b',
          status: 'in-progress',
          providerStatus: 'IN_REVIEW',
          appliedAt: '2026-10-29T15:56:59.259Z',
        },
      ],
    });
    const parsed = { experience: [{ source: 'resume', title: 'Analyst' }], education: [] };
    const fromResume = personOf(
      { item, details: { ...details, education: [], experience: [] }, parsed },
      settings({ importUnknownCandidates: false }),
    );
    expect(fromResume.fields.experience).toEqual(parsed.experience);
    expect(fromResume.createIfUnknown).toBe(false);
    // Only the links SmartRecruiters filled in (it sends every kind, blank when unknown).
    expect(person.fields.links).toEqual({ linkedin: 'https://www.linkedin.com/in/witek' });
  });
});
