import { notFound, RefusedError, UnavailableError } from '../domain/errors';
import { inspectCv, safeFilename } from '../intake/cv-type';
import type { Delivery } from '../intake/delivery';
import { decideIntake, type IntakeRef, isLateFor } from '../intake/rules';
import type { Store } from '../store';
import { IntakeNotAcceptedError, type IntakeWorkflows } from '../temporal/intake';

/**
 * Taking in an application a board delivered: refuse what can be refused at once, stage the rest in the
 * store, and hand it to its intake workflow. Resolves only once Temporal holds that workflow.
 */
export function createIntakeService(store: Store, workflows: IntakeWorkflows) {
  return {
    async receive(board: string, postingId: string, delivery: Delivery): Promise<{ applicationId: string; workflowId: string }> {
      const posting = await store.postings.get(postingId);
      if (!posting || posting.board !== board) throw notFound('posting');
      const ref: IntakeRef = { provider: board, applicationId: delivery.applicationId };

      // A repeat of an application already staged is not looked at again: it only needs its workflow.
      if (!(await store.intake.exists(ref))) {
        const cv = delivery.cv && { ...delivery.cv, filename: safeFilename(delivery.cv.filename, delivery.cv.contentType) };
        const cvRequired = !posting.options.quickApply;
        const decision = decideIntake({ cvRequired, cv: inspectCv(cv) });
        if (decision.action === 'reject') throw new RefusedError(decision.reason);
        await store.intake.stage({
          provider: board,
          externalId: delivery.applicationId,
          postingId: posting.id,
          jobId: posting.jobId,
          payload: delivery.fields,
          cvRequired,
          late: isLateFor(posting.state),
          cv,
        });
      }

      try {
        const { workflowId } = await workflows.start(ref, { jobId: posting.jobId });
        return { applicationId: delivery.applicationId, workflowId };
      } catch (err) {
        if (err instanceof IntakeNotAcceptedError)
          throw new UnavailableError('the application could not be queued: deliver it again later');
        throw err;
      }
    },
  };
}

export type IntakeService = ReturnType<typeof createIntakeService>;
