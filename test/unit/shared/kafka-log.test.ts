import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logLevel } from 'kafkajs';
import { pinoLogCreator } from '../../../shared/clients/kafka.js';
import { createLogger } from '../../../shared/logger.js';

function capture(): { lines: { level: number; msg: string; component?: string }[]; write: (line: string) => void } {
  const lines: { level: number; msg: string; component?: string }[] = [];
  return { lines, write: (line) => lines.push(JSON.parse(line) as { level: number; msg: string }) };
}

test("kafkajs's logs go through pino; its warning about bounded idempotent retries (chosen on purpose) is debug, others stay warnings", () => {
  const out = capture();
  const log = pinoLogCreator(createLogger({ name: 'test', level: 'debug', destination: { write: out.write } }))(logLevel.DEBUG);
  const entry = (message: string): { namespace: string; level: string; label: string; timestamp: string; message: string } => ({ namespace: 'Producer', level: 'WARN', label: 'WARN', timestamp: '', message });
  log({ namespace: 'Producer', level: logLevel.WARN, label: 'WARN', log: entry('Limiting retries for the idempotent producer may invalidate EoS guarantees') });
  log({ namespace: 'Connection', level: logLevel.WARN, label: 'WARN', log: entry('Response without match') });
  log({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log: entry('Connection error: ECONNREFUSED') });
  assert.deepEqual(
    out.lines.map((l) => [l.level, l.msg, l.component]),
    [
      [20, 'Limiting retries for the idempotent producer may invalidate EoS guarantees', 'kafkajs'],
      [40, 'Response without match', 'kafkajs'],
      [50, 'Connection error: ECONNREFUSED', 'kafkajs'],
    ],
  );
});
