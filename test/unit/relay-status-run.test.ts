import { changesIn, decideChange, RUN_OVERLAP_MS, RunTallier, runWindow, settle } from '../../src/relay/status-run';

const at = (minute: number) => new Date(Date.UTC(2027, 2, 28, 15, minute)).toISOString();
const ms = (minute: number) => Date.parse(at(minute));
const mapping = { '1': 'waiting_for_decision', '2': 'evaluating', '4': 'interview' };
const names = (id: string) => ({ '1': 'Nowy', '2': 'Analiza CV', '4': 'Rozmowa', '8': 'Assessment' })[id];

describe('status-sync run rules', () => {
  it('reads from the enablement, then from where the last good run ended (less an overlap, never before the enablement)', () => {
    expect(runWindow(ms(0), undefined, ms(50))).toEqual({ since: ms(0), until: ms(50) });
    expect(runWindow(ms(0), ms(40), ms(59))).toEqual({ since: ms(40) - RUN_OVERLAP_MS, until: ms(59) });
    expect(runWindow(ms(35), ms(40), ms(59)).since).toBe(ms(35));
  });

  it('takes the history’s changes inside the window, oldest first, whatever order they come in', () => {
    const history = [
      { stageId: '4', changedAt: at(30) },
      { stageId: '1', changedAt: at(5) },
      { stageId: '2', changedAt: at(10) },
      { stageId: '8', changedAt: at(45) },
    ];
    expect(changesIn(history, { since: ms(10), until: ms(30) })).toEqual([
      { stageId: '2', changedAt: at(10) },
      { stageId: '4', changedAt: at(30) },
    ]);
  });

  it('pushes a change into a mapped stage, holds one into an unmapped or unknown stage: never guessed', () => {
    expect(decideChange({ stageId: '4', changedAt: at(1) }, mapping, names)).toEqual({ kind: 'push', status: 'interview' });
    expect(decideChange({ stageId: '8', changedAt: at(1) }, mapping, names)).toEqual({
      kind: 'hold',
      reason: 'stage "Assessment" (8) is not mapped',
    });
    expect(decideChange({ stageId: '77', changedAt: at(1) }, mapping, names)).toEqual({ kind: 'hold', reason: 'stage 77 is unknown' });
  });

  it('settles a change once: pushed before (by this run after a crash, or an earlier one), superseded, held or pushed', () => {
    const pushed = [
      { stageId: '1', changedAt: at(1), runId: 'run-a' },
      { stageId: '4', changedAt: at(20), runId: 'run-b' },
    ];
    expect(settle({ stageId: '1', changedAt: at(1) }, pushed, 'run-b', mapping, names)).toEqual({
      kind: 'pushed-before',
      byThisRun: false,
    });
    expect(settle({ stageId: '4', changedAt: at(20) }, pushed, 'run-b', mapping, names)).toEqual({
      kind: 'pushed-before',
      byThisRun: true,
    });
    // Older than a change already pushed: pushing it would move the tool's status back.
    expect(settle({ stageId: '8', changedAt: at(10) }, pushed, 'run-c', mapping, names)).toEqual({ kind: 'superseded' });
    expect(settle({ stageId: '8', changedAt: at(30) }, pushed, 'run-c', mapping, names)).toMatchObject({ kind: 'hold' });
    expect(settle({ stageId: '2', changedAt: at(30) }, pushed, 'run-c', mapping, names)).toEqual({ kind: 'push', status: 'evaluating' });
    expect(settle({ stageId: '2', changedAt: at(30) }, [], 'run-c', mapping, names)).toEqual({ kind: 'push', status: 'evaluating' });
  });

  it('adds up pages into the run’s counts and reasons', () => {
    const page = new RunTallier();
    page.application();
    page.read(3);
    page.add('pushed');
    page.add('unmapped', 'stage "Assessment" (8) is not mapped');
    page.add('unchanged', 'already pushed');
    const run = new RunTallier();
    run.merge(page.result());
    run.merge(page.result());
    run.add('ignored', 'created before the status sync was enabled');
    expect(run.result()).toEqual({
      counts: { applications: 2, read: 6, pushed: 2, unchanged: 2, unmapped: 2, failed: 0, ignored: 1 },
      reasons: {
        unmapped: { 'stage "Assessment" (8) is not mapped': 2 },
        unchanged: { 'already pushed': 2 },
        ignored: { 'created before the status sync was enabled': 1 },
      },
    });
  });
});
