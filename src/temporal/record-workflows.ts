import { type Client, WorkflowIdReusePolicy } from '@temporalio/client';
import { ConnectorId, Provider } from '../domain/search-attributes';
import type { RecordWorkflow } from '../sync/provider';
import { startOnce } from './workflow-calls';

/** Workflows of single records a connector hands over (e.g. a delivery): the only place that starts them. */
export function createRecordWorkflows(client: Client, taskQueue: string) {
  return {
    /** Starts the workflow unless a run holds its id; a finished one is run again (it answers "already done?" first). */
    start: (workflow: RecordWorkflow, connector: { connectorId: string; provider: string }): Promise<void> =>
      startOnce(() =>
        client.workflow.start(workflow.workflowType, {
          workflowId: workflow.workflowId,
          taskQueue,
          args: workflow.args,
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          typedSearchAttributes: [
            { key: ConnectorId, value: connector.connectorId },
            { key: Provider, value: connector.provider },
          ],
          staticSummary: workflow.summary,
        }),
      ),
  };
}

export type RecordWorkflows = ReturnType<typeof createRecordWorkflows>;
