import type { StackStatus } from './stack.js';

// The human summary of `stack up` and `stack status` (stderr); `status --json` prints the StackStatus itself.

export function formatStatus(status: StackStatus): string {
  const lines = status.services.map((s) => {
    const pid = s.pid === undefined ? '' : ` pid ${s.pid}`;
    const detail = s.detail ? ` (${s.detail})` : '';
    return `  ${s.name.padEnd(13)} ${s.version.padEnd(8)} ${s.state.padEnd(10)} ${s.address}${pid}${detail}\n  ${''.padEnd(13)} logs: ${s.logs}`;
  });
  return [`stack home: ${status.home}`, ...lines, `  HANGWATCH_KAFKA_BROKERS=${status.kafkaBrokers} HANGWATCH_ES_URL=${status.esUrl}`].join('\n');
}
