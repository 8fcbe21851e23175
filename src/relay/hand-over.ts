import type { StreamContext } from '../sync/connector';
import type { RecordWorkflow } from '../sync/provider';
import type { RecordOutcome } from '../sync/tally';
import { ERASED_REASON } from '../sync/writes';
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
 * A person whose data was erased (or this very candidate of the tool, erased before) is skipped as `erased`: nothing
 * of theirs is kept, nothing is sent.
 */
export async function handOverReady<R, Settings, Client>(
  records: R[],
  ctx: StreamContext<Settings, Client>,
  entry: Pick<RelayEntry, 'names'>,
  toCandidate: (record: R) => ReadyCandidate,
  done: (record: R, outcome: RecordOutcome) => void,
): Promise<void> {
  const candidates = records.map(toCandidate);
  const erased = await erasedAmong(ctx, candidates);
  for (const [i, record] of records.entries()) {
    if (erased[i]) {
      done(record, { outcome: 'skipped', reason: ERASED_REASON });
      continue;
    }
    const staged = await ctx.store.relay.stageDelivery(ctx.connectorId, candidates[i], ctx.phoneCountry, deliveryWorkflowId);
    if (staged.start) await ctx.startWorkflow(deliveryWorkflow(staged.ref, entry.names));
    done(record, { outcome: staged.outcome });
  }
}

/**
 * For each candidate, whether they (by email, or phone + surname, the phone read in the tool's country) or the tool's
 * record of them were erased.
 */
export async function erasedAmong(
  ctx: Pick<StreamContext<unknown, unknown>, 'store' | 'provider' | 'phoneCountry'>,
  candidates: ReadyCandidate[],
) {
  const matches = await ctx.store.erased.screen(
    candidates.map((c) => ({
      provider: ctx.provider,
      sourceId: c.candidateId,
      applicationIds: [],
      fields: { ...c.person, phoneCountry: ctx.phoneCountry },
      matchBy: ['email', 'phone+surname'],
    })),
  );
  return matches.map((m) => m.record || m.person);
}
