// Every workflow the worker runs. Workflow code is deterministic: it imports only
// @temporalio/workflow, domain types and pure helpers.

export { applicationIntake } from './application-intake';
export { candidateDelivery } from './candidate-delivery';
export { connectorSync, connectorTest } from './connector-sync';
export { eventDispatch } from './event-dispatch';
export { postingLifecycle } from './posting-lifecycle';
export { retentionSweep } from './retention-sweep';
export { relayLookup, statusSync } from './status-sync';
export { webhookDelivery } from './webhook-delivery';
