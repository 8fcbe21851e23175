import { decideErased, idleSince } from '../../src/privacy/rules';

describe('what becomes of a record of an erased person', () => {
  const context = { liveCandidate: false, newApplications: 1, reapply: 'refuse' as const };

  it('writes a record that matches no erased person', () => {
    expect(decideErased({ record: false, person: false }, context)).toBe('write');
  });

  it('refuses the same record again (a redelivery, a re-sync) whatever the setting', () => {
    expect(decideErased({ record: true, person: true }, context)).toBe('refuse');
    expect(decideErased({ record: true, person: false }, { ...context, reapply: 'recreate' })).toBe('refuse');
    expect(decideErased({ record: true, person: true }, { ...context, liveCandidate: true })).toBe('refuse');
  });

  it('refuses the erased person by default, even on a new application', () => {
    expect(decideErased({ record: false, person: true }, context)).toBe('refuse');
  });

  it('creates them anew under ERASED_REAPPLY=recreate only when they bring a new application', () => {
    expect(decideErased({ record: false, person: true }, { ...context, reapply: 'recreate' })).toBe('recreate');
    expect(decideErased({ record: false, person: true }, { ...context, reapply: 'recreate', newApplications: 0 })).toBe('refuse');
  });

  it('writes to a person we hold again (created anew after an erasure)', () => {
    expect(decideErased({ record: false, person: true }, { ...context, liveCandidate: true })).toBe('write');
  });
});

describe('the retention cut-off', () => {
  it('is the same instant the given number of calendar months earlier (UTC)', () => {
    expect(new Date(idleSince(Date.parse('2026-11-15T03:00:00Z'), 24)).toISOString()).toBe('2024-11-15T03:00:00.000Z');
    expect(new Date(idleSince(Date.parse('2026-03-01T00:00:00Z'), 1)).toISOString()).toBe('2026-02-01T00:00:00.000Z');
  });
});
