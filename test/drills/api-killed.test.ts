import { setUpCvLibrary } from '../fixtures/cv-library';
import { applyManyOnBoard, boardDeliveries, type LivePosting, postLiveJob } from '../fixtures/direct-apply';
import { describeWithPostgres } from '../helpers/postgres';
import { waitFor } from '../helpers/wait';
import { type ServiceProcess, type SplitSystem, startSplitSystem } from '../helpers/worker-process';

const APPLICATIONS = 150;
const PER_SECOND = 30;

/**
 * Fault drill: the API process is SIGKILLed in the middle of a burst of DirectApply deliveries and started again on
 * the same port. The board (the CV-Library sandbox) delivers again whatever was not answered 200, with backoff, as
 * CV-Library does. Every application the API acknowledged is stored, and so is every one it did not, each once.
 */
describeWithPostgres('the API drill')('drill: the API process killed mid-burst of DirectApply deliveries', () => {
  let split: SplitSystem;
  let apiProcess: ServiceProcess;
  let posting: LivePosting;

  beforeAll(async () => {
    split = await startSplitSystem('apidrill');
    split.startWorker();
    apiProcess = await split.startApi();
    await setUpCvLibrary(split);
    posting = await postLiveJob(split);
    // Re-delivery 250 ms after a failed attempt, doubling, up to ten attempts (about two minutes in all).
    const settings = await split.sandbox('POST', 'cv-library', '/_sandbox/delivery', { retryBaseMs: 250, maxAttempts: 10 });
    expect(settings.status).toBe(200);
  });
  afterAll(() => split?.stop());

  it('stores every application once: those acknowledged before the kill and those the board delivered again', async () => {
    const applying = applyManyOnBoard(split, posting, APPLICATIONS, PER_SECOND, 'apikill');
    // A third of the way through the burst the API dies; a new one starts on the same port.
    await new Promise((r) => setTimeout(r, ((APPLICATIONS / 3) * 1000) / PER_SECOND));
    await apiProcess.kill();
    expect(await apiProcess.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // A delivery staged just before the kill, its workflow not yet started, is started by the new API's sweep at start.
    apiProcess = await split.startApi();
    const ids = await applying;

    const deliveries = await boardDeliveries(split, ids, 180_000);
    const attempts = [...deliveries.values()];
    // Each ended acknowledged; the kill was felt: deliveries went unanswered and had to come again.
    expect(attempts.filter((a) => a.at(-1) !== 200)).toEqual([]);
    const redelivered = attempts.filter((a) => a.length > 1);
    expect(redelivered.length).toBeGreaterThan(0);
    const acknowledgedFirstTime = attempts.filter((a) => a.length === 1);
    expect(acknowledgedFirstTime.length).toBeGreaterThan(0);
    // Nothing but 200 and no answer at all (0: the connection refused or cut while the API was down).
    expect(attempts.flat().filter((s) => s !== 200 && s !== 0)).toEqual([]);

    const { store } = split.deps;
    await waitFor(
      () => store.intake.counts(),
      (c) => c.processed === APPLICATIONS,
      240_000,
      'every delivery processed',
    );
    expect(await store.intake.counts()).toEqual({ processed: APPLICATIONS });
    const stored = await store.db.selectFrom('applications').select('external_id').where('job_id', '=', posting.jobId).execute();
    expect(stored.map((r) => r.external_id).sort()).toEqual([...ids].sort());
    const sources = await store.db.selectFrom('candidate_sources').select('external_id').where('provider', '=', 'cv-library').execute();
    expect(sources.map((r) => r.external_id).sort()).toEqual([...ids].sort());
  }, 480_000);
});
