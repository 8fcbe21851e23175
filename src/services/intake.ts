import { ConflictError, notFound, RefusedError, UnavailableError } from '../domain/errors';
import { inspectCv, safeFilename } from '../intake/cv-type';
import type { Delivery } from '../intake/delivery';
import { decideIntake, type IntakeRef, intakeWorkflowId, isLateFor } from '../intake/rules';
import type { IntakeStarter } from '../intake/starter';
import type { Store } from '../store';
import { IntakeNotAcceptedError, type IntakeWorkflows } from '../temporal/intake';

/**
 * Taking in an application a board delivered: refuse what can be refused at once, stage the rest in the
 * store, and hand it to its intake workflow. Resolves once the delivery is staged (durable); its workflow is
 * started right after, by `starter`, or by the intake sweep should this process not get to it.
 */
export function createIntakeService(store: Store, workflows: IntakeWorkflows, starter: IntakeStarter) {
  /** The delivery in the store once (a repeat changes nothing), or refused at once (422, nothing written). */
  async function stage(board: string, postingId: string, delivery: Delivery): Promise<{ ref: IntakeRef; jobId: string }> {
    // The CV is looked at before the first statement: the store's connection is held from it to the staging insert.
    const cv = delivery.cv && { ...delivery.cv, filename: safeFilename(delivery.cv.filename, delivery.cv.contentType) };
    const cvVerdict = inspectCv(cv);
    const posting = await store.postings.get(postingId);
    if (!posting || posting.board !== board) throw notFound('posting');
    const ref: IntakeRef = { provider: board, applicationId: delivery.applicationId };

    // Staging is insert-if-absent: a repeat of an application already staged only needs its workflow. A repeat
    // that would be refused now (its CV missing this time) was accepted before, so it is not refused.
    const cvRequired = !posting.options.quickApply;
    const decision = decideIntake({ cvRequired, cv: cvVerdict });
    if (decision.action === 'reject') {
      if (!(await store.intake.exists(ref))) throw new RefusedError(decision.reason);
    } else {
      await store.intake.stage({
        provider: board,
        externalId: delivery.applicationId,
        postingId: posting.id,
        jobId: posting.jobId,
        payload: delivery.fields,
        cvRequired,
        late: isLateFor(posting.state),
        cv,
        cvVerdict,
      });
    }
    return { ref, jobId: posting.jobId };
  }

  return {
    async receive(board: string, postingId: string, delivery: Delivery): Promise<{ applicationId: string; workflowId: string }> {
      // Ahead of background work on a single-connection store: the board is waiting for this answer.
      const { ref, jobId } = await store.ahead(() => stage(board, postingId, delivery));
      starter.start(ref, { jobId });
      return { applicationId: delivery.applicationId, workflowId: intakeWorkflowId(board, delivery.applicationId) };
    },

    /** Staged deliveries in one state (e.g. `failed`), newest first: ids, state and reason, no personal data. */
    async list(state: 'received' | 'processed' | 'rejected' | 'failed', limit: number) {
      const items = await store.intake.listByState(state, limit);
      return {
        items: items.map(({ externalId, ...d }) => ({
          ...d,
          applicationId: externalId,
          workflowId: intakeWorkflowId(d.provider, externalId),
        })),
      };
    },

    /** Runs a failed delivery's intake again (after its cause was fixed); a conflict when it is not failed. */
    async replay(provider: string, applicationId: string): Promise<{ applicationId: string; workflowId: string }> {
      const ref: IntakeRef = { provider, applicationId };
      const staged = await store.intake.get(ref);
      if (!staged) throw notFound('staged application');
      if (!(await store.intake.reopen(ref))) throw new ConflictError(`the application is ${staged.state}, not failed: nothing to replay`);
      try {
        return { applicationId, ...(await workflows.start(ref, { jobId: staged.jobId })) };
      } catch (err) {
        // Still `received`: the intake sweep starts it once Temporal answers again.
        if (err instanceof IntakeNotAcceptedError)
          throw new UnavailableError('Temporal did not take the replay; the intake sweep will start it');
        throw err;
      }
    },
  };
}

export type IntakeService = ReturnType<typeof createIntakeService>;
