// A consumer that crashes with a non-retriable error (kafkajs CRASH with restart=false) is stopped for good:
// a service must then log the error and exit non-zero so that its supervisor restarts it, not stay up idle.
// One mechanism for every service: watchConsumer (shared/clients/kafka.ts) hands the crash to runUntilSignal's
// fail (shared/service-runtime.ts), which stops the service and exits 1. Real Kafka, a real kafkajs crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { FAILED_EXIT_CODE } from '../../shared/service-runtime.js';
import { REPO } from './harness/paths.js';
import { recordRow } from './harness/table.js';

test('a non-retriable consumer crash: the error is logged and the process exits 1', { timeout: 180_000 }, async () => {
  const kafka = createKafka(loadConfig('', COMMON_SCHEMA, process.env), 'faults-crash');
  const topic = `hw-faults-crash-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'a record the handler cannot take' }] });
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'faults', 'harness', 'crashing-consumer.ts'), topic, `${topic}-group`], { cwd: REPO, env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    clearTimeout(timer);
    const seconds = (Date.now() - started) / 1000;
    const lines = stderr.split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l) as { level: number; msg: string; err?: { type?: string; message?: string } }; } catch { return { level: 0, msg: l }; } });
    assert.ok(lines.some((l) => l.msg === 'batch received'), `the record reached the handler: ${stderr.slice(-1500)}`);
    const fatal = lines.find((l) => l.level === 60);
    assert.ok(fatal, `a fatal log line: ${stderr.slice(-1500)}`);
    assert.match(fatal.msg, /crashing consumer failed and cannot recover/);
    assert.match(`${fatal.err?.type} ${fatal.err?.message}`, /KafkaJSNonRetriableError|TypeError/, 'the log names the error');
    assert.equal(code, FAILED_EXIT_CODE, `exit status (stderr: ${stderr.slice(-800)})`);
    await recordRow('50-01', {
      fault: 'non-retriable consumer crash (TypeError in the handler)',
      recordsIn: 1,
      indexed: '-',
      deadletters: '-',
      duplicates: '-',
      lost: '-',
      recovery: `exit ${code} after ${seconds.toFixed(1)} s`,
      notes: 'logged at fatal; a supervisor restarts the process (shared watchConsumer + runUntilSignal)',
    });
  } finally {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([`${topic}-group`]).catch(() => undefined);
    await admin.disconnect();
  }
});
