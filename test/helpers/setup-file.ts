import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep the SDK's own logs to warnings so test output shows what matters.
try {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
} catch {
  // already installed in this worker process
}
