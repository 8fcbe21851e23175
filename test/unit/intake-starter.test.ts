import type { IntakeRef } from '../../src/intake/rules';
import { createIntakeStarter } from '../../src/intake/starter';
import { createLogger } from '../../src/logger';
import { Metrics } from '../../src/metrics';
import type { IntakeWorkflows } from '../../src/temporal/intake';

/** Temporal as the starter sees it: starts recorded, each workflow closing when the test says. */
function fakeTemporal({ refuseFirst = 0 } = {}) {
  const started: string[] = [];
  const open = new Map<string, () => void>();
  let refusals = refuseFirst;
  let mostInHand = 0;
  const workflows: IntakeWorkflows = {
    async start(ref: IntakeRef) {
      if (refusals-- > 0) throw new Error('Temporal is away');
      started.push(ref.applicationId);
      return { workflowId: `application:${ref.provider}:${ref.applicationId}` };
    },
    finished(ref: IntakeRef) {
      return new Promise<void>((resolve) => {
        open.set(ref.applicationId, resolve);
        mostInHand = Math.max(mostInHand, open.size);
      });
    },
  };
  return {
    workflows,
    started,
    mostInHand: () => mostInHand,
    inHand: () => [...open.keys()],
    close(id: string) {
      open.get(id)?.();
      open.delete(id);
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));
const ref = (applicationId: string): IntakeRef => ({ provider: 'cv-library', applicationId });
const deps = { logger: createLogger('silent'), metrics: new Metrics() };

describe('intake starter', () => {
  it('bound at 1: takes a burst one intake at a time, in order, each started once though delivered twice', async () => {
    const temporal = fakeTemporal();
    const starter = createIntakeStarter({ ...deps, workflows: temporal.workflows, concurrency: 1, holdUntilFinishedMs: 60_000 });
    for (const id of ['a', 'b', 'a', 'c', 'b']) starter.start(ref(id), { jobId: 'job_1' });
    await settle();
    expect(temporal.started).toEqual(['a']);
    expect(starter.waiting()).toBe(2);

    for (const id of ['a', 'b', 'c']) {
      expect(temporal.inHand()).toEqual([id]);
      starter.start(ref(id), { jobId: 'job_1' }); // delivered again (or found by the sweep) while in hand
      temporal.close(id);
      await settle();
    }
    expect(temporal.started).toEqual(['a', 'b', 'c']);
    expect(temporal.mostInHand()).toBe(1);
    expect(starter.waiting()).toBe(0);

    // Once its workflow has closed, a later delivery of the same application is started again (Temporal decides).
    starter.start(ref('a'), { jobId: 'job_1' });
    await settle();
    expect(temporal.started).toEqual(['a', 'b', 'c', 'a']);
    await starter.stop();
  });

  it("while this process's worker is not running, starts every delivery at once (Temporal keeps them for a worker)", async () => {
    const temporal = fakeTemporal();
    const starter = createIntakeStarter({
      ...deps,
      workflows: temporal.workflows,
      concurrency: 1,
      holdUntilFinishedMs: 60_000,
      workerRunning: () => false,
    });
    for (const id of ['a', 'b', 'c']) starter.start(ref(id), { jobId: 'job_1' });
    await settle();
    await settle();
    expect(temporal.started).toEqual(['a', 'b', 'c']);
    expect(temporal.inHand()).toEqual([]);
    await starter.stop();
  });

  it('retries a refused start in its turn, and stopping lets go of an intake in hand at once', async () => {
    const temporal = fakeTemporal({ refuseFirst: 1 });
    const starter = createIntakeStarter({ ...deps, workflows: temporal.workflows, concurrency: 1, holdUntilFinishedMs: 60_000 });
    starter.start(ref('x'), { jobId: 'job_1' });
    await settle();
    expect(temporal.started).toEqual([]);
    await new Promise((r) => setTimeout(r, 400)); // the first retry is 250 ms later
    expect(temporal.started).toEqual(['x']);
    starter.start(ref('y'), { jobId: 'job_1' });
    await starter.stop(); // resolves though x's workflow never closes
    expect(temporal.started).toEqual(['x']); // y, queued, is left to the sweep
  });
});
