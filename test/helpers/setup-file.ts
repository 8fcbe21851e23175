import { createLogger, temporalLogger } from '../../src/logger';
import { installRuntime } from '../../src/temporal/runtime';

/** Lines the Temporal runtime logged in this test file, for tests that assert on what the worker's logs hold. */
export const runtimeLogLines: string[] = [];
(globalThis as Record<string, unknown>).__JOBRELAY_RUNTIME_LOG_LINES__ = runtimeLogLines;

// The SDK's own logs go through our (redacting) logger, as in `npm start`, at warnings so test output shows what matters.
try {
  const destination = {
    write(line: string) {
      runtimeLogLines.push(line);
      process.stderr.write(line);
    },
  };
  installRuntime({ logger: temporalLogger(createLogger('warn', destination)), shutdownSignals: [] });
} catch {
  // already installed in this worker process
}
