import fs from 'node:fs';
import { EXAMPLES_DIR, example } from './shape';

// The literal examples every contract test reads (each provider's contract test checks its client and its sandbox
// against them).

describe('documented examples', () => {
  it('are all here: none can vanish unnoticed', () => {
    expect(fs.readdirSync(EXAMPLES_DIR).sort()).toEqual([
      'cv-library-direct-apply.json',
      'cv-library-job-create.json',
      'cv-library-job-created.json',
      'erecruiter-application-create.json',
      'erecruiter-application-created.json',
      'erecruiter-candidate-applications-page.json',
      'erecruiter-companies.json',
      'erecruiter-duplicate-application.json',
      'erecruiter-origins.json',
      'erecruiter-recruitments-page.json',
      'erecruiter-stage-history.json',
      'erecruiter-stages.json',
      'erecruiter-token.json',
      'erecruiter-unauthorized.json',
      'inhire-candidates-page.json',
      'inhire-delivery-report.json',
      'inhire-status.json',
      'lever-postings-page.json',
      'smartrecruiters-attachments.json',
      'smartrecruiters-candidate.json',
      'smartrecruiters-candidates-page.json',
      'smartrecruiters-posting.json',
      'smartrecruiters-postings-page.json',
    ]);
  });

  it('hold what the documentation says of values, not only of shapes', () => {
    const history = example<Array<{ stageId: number; changedAt: string }>>('erecruiter-stage-history');
    const times = history.map((h) => Date.parse(h.changedAt));
    expect(times.every((t) => !Number.isNaN(t))).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => a - b)); // "oldest first"

    const candidates = example('smartrecruiters-candidates-page');
    const STATUSES = ['LEAD', 'NEW', 'IN_REVIEW', 'INTERVIEW', 'OFFERED', 'HIRED', 'REJECTED', 'WITHDRAWN', 'TRANSFERRED'];
    expect(candidates.limit).toBeLessThanOrEqual(100);
    for (const c of candidates.content) {
      expect(STATUSES).toContain(c.primaryAssignment.status);
      expect(c.updatedOn).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }

    const page = example('lever-postings-page');
    expect(
      page.data.every((p: { createdAt: unknown; updatedAt: unknown }) => Number.isInteger(p.createdAt) && Number.isInteger(p.updatedAt)),
    ).toBe(true); // ms since the epoch
    expect(page.hasNext).toBe(Boolean(page.next));

    const created = example('cv-library-job-created');
    const job = example('cv-library-job-create');
    expect(job.duration_days).toBe(28);
    expect(Date.parse(created.expires_at)).not.toBeNaN();
  });
});
