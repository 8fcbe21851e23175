import type { StreamContext } from '../sync/connector';
import type { RecordWorkflow } from '../sync/provider';
import type { RecordOutcome } from '../sync/tally';
import { DELIVERY_WORKFLOW, type DeliveryRef, deliveryWorkflowId } from './refs';
import type { ReadyCandidate, RelayEntry } from './types';

/** The delivery workflow of one candidate: ids only, a summary an operator can read in the Temporal UI. */
export function deliveryWorkflow(ref: DeliveryRef, names: RelayEntry['names']): RecordWorkflow {
  return {
    workflowType: DELIVERY_WORKFLOW,
    workflowId: deliveryWorkflowId(ref),
    args: [ref],
    summary: `${names.tool} candidate ${ref.candidateId} → ${names.ats} recruitment ${ref.recruitmentId}`,
  };
}

/**
 * A relay's stream `write` for the candidates its tool marked ready: each is staged in the store (its person kept
 * there, never in a workflow) and handed to its own delivery workflow, unless it is delivered and reported already.
 */
export async function handOverReady<R, Settings, Client>(
  records: R[],
  ctx: StreamContext<Settings, Client>,
  entry: Pick<RelayEntry, 'names'>,
  toCandidate: (record: R) => ReadyCandidate,
  done: (record: R, outcome: RecordOutcome) => void,
): Promise<void> {
  for (const record of records) {
    const staged = await ctx.store.relay.stageDelivery(ctx.connectorId, toCandidate(record), deliveryWorkflowId);
    if (staged.start) await ctx.startWorkflow(deliveryWorkflow(staged.ref, entry.names));
    done(record, { outcome: staged.outcome });
  }
}
