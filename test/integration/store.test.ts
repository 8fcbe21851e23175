import { aJob } from '../fixtures/jobs';
import { storeBackends } from '../helpers/stores';

describe.each(storeBackends())('store on %s', (_name, open) => {
  let store: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store.close());

  it('creates, reads and edits a job with its JSON fields intact', async () => {
    const created = await store.jobs.create(aJob());
    expect(created.id).toMatch(/^job_/);
    expect(await store.jobs.get(created.id)).toEqual(created);

    const edited = await store.jobs.update(created.id, { title: 'Senior Payroll Administrator', state: 'closed' });
    expect(edited).toMatchObject({
      title: 'Senior Payroll Administrator',
      state: 'closed',
      location: created.location,
      salary: created.salary,
    });
    expect(new Date(edited!.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.updatedAt).getTime());
  });

  it('answers undefined for an unknown job', async () => {
    expect(await store.jobs.get('job_missing')).toBeUndefined();
    expect(await store.jobs.update('job_missing', { title: 'x' })).toBeUndefined();
  });

  it('runs migrations idempotently', async () => {
    const { migrate } = await import('../../src/store/db');
    await expect(migrate(store.db)).resolves.toBeUndefined();
  });
});
