import { execFileSync } from 'node:child_process';
import { requireBinary } from '../../src/tooling/binaries';
import { testServers } from './env';

/**
 * Everything `temporal workflow show` prints for a workflow, with every payload decoded from base64,
 * so a search for a secret sees what an operator could see.
 */
export function shownHistory(workflowId: string): string {
  const json = execFileSync(
    requireBinary('temporal'),
    ['workflow', 'show', '--address', testServers.temporalAddress(), '--workflow-id', workflowId, '--output', 'json'],
    {
      encoding: 'utf8',
    },
  );
  const decoded: string[] = [];
  JSON.parse(json, (key, value) => {
    if ((key === 'data' || key === 'encoding') && typeof value === 'string') decoded.push(Buffer.from(value, 'base64').toString('utf8'));
    return value;
  });
  return `${json}\n${decoded.join('\n')}`;
}
