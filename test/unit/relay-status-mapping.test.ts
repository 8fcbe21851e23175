import { DEFAULT_STAGE_MAPPING, INHIRE_STATUSES } from '../../src/providers/erecruiter-inhire/mapping';
import { StatusMappingRules } from '../../src/relay/status-mapping';
import type { AtsStage } from '../../src/relay/types';

const defaults: AtsStage[] = Object.keys(DEFAULT_STAGE_MAPPING).map((name, i) => ({ id: String(i + 1), name, isDefault: true }));
const custom: AtsStage = { id: '8', name: 'Zadanie rekrutacyjne', isDefault: false };
const stages = [...defaults, custom];
const rules = new StatusMappingRules(DEFAULT_STAGE_MAPPING, INHIRE_STATUSES);

describe('status mapping rules', () => {
  it('pre-maps and locks the default stages, and leaves the company’s own unmapped', () => {
    const initial = rules.initial(stages);
    expect(initial).toEqual({
      '1': 'waiting_for_decision',
      '2': 'evaluating',
      '3': 'interview',
      '4': 'interview',
      '5': 'evaluating',
      '6': 'hired',
      '7': 'negative',
    });
    expect(rules.unmapped(stages, initial)).toEqual([custom]);
    expect(rules.view(stages, initial).filter((s) => s.locked)).toHaveLength(7);
    expect(rules.view(stages, initial).find((s) => s.id === '8')).toEqual({ ...custom, locked: false, status: undefined });
  });

  it('locks a default by its name only when eRecruiter marks it a default (a custom "Nowy" is the company’s own)', () => {
    const own = { id: '9', name: ' nowy ', isDefault: false };
    expect(rules.lockedStatus({ id: '1', name: 'NOWY', isDefault: true })).toBe('waiting_for_decision');
    expect(rules.lockedStatus(own)).toBeUndefined();
  });

  it('saves a complete mapping with the locked stages filled in', () => {
    expect(rules.check(stages, { '8': 'interview' })).toEqual({ mapping: { ...rules.initial(stages), '8': 'interview' } });
    // A locked stage repeated with its own status is fine.
    expect(rules.check(stages, { '1': 'waiting_for_decision', '8': 'hired' })).toHaveProperty('mapping');
  });

  it('refuses a remapped locked stage, an unmapped stage, an unknown stage and an unknown status, naming each', () => {
    expect(rules.check(stages, { '6': 'negative', '99': 'hired', '8': 'later' })).toEqual({
      problems: {
        locked: ['"Zatrudniony" (6) is locked to "hired"'],
        unknown: ['99'],
        unmapped: [],
        invalidStatus: ['"Zadanie rekrutacyjne" (8): "later"'],
      },
    });
    expect(rules.check(stages, {})).toEqual({
      problems: { locked: [], unknown: [], unmapped: ['"Zadanie rekrutacyjne" (8)'], invalidStatus: [] },
    });
  });

  it('a stage the ATS no longer has is dropped from a saved mapping', () => {
    const saved = rules.check(defaults, {});
    expect(saved).toEqual({ mapping: rules.initial(defaults) });
  });
});
