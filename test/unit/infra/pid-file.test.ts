import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgePidFile, parsePid, readPidState, removePidFile, writePidFile } from '../../../infra/pid-file.js';
import { judgeServiceState } from '../../../infra/service-state.js';

test('parsePid accepts a positive whole number with surrounding whitespace only', () => {
  assert.equal(parsePid('1234\n'), 1234);
  assert.equal(parsePid('  77 '), 77);
  assert.equal(parsePid(''), undefined);
  assert.equal(parsePid('12a'), undefined);
  assert.equal(parsePid('-5'), undefined);
  assert.equal(parsePid('1'), undefined, 'never init');
});

test('judgePidFile: no file, alive, gone, reused, unreadable', () => {
  const kafkaCmd = ['/usr/bin/java', '-Xmx512m', '-cp', 'libs/*', 'kafka.Kafka', 'server.properties'].join('\0');
  assert.deepEqual(judgePidFile(undefined, undefined, 'kafka.Kafka'), { kind: 'none' });
  assert.deepEqual(judgePidFile('42\n', kafkaCmd, 'kafka.Kafka'), { kind: 'alive', pid: 42 });
  assert.equal(judgePidFile('42\n', undefined, 'kafka.Kafka').kind, 'stale');
  const reused = judgePidFile('42\n', ['/usr/bin/vim', 'notes'].join('\0'), 'kafka.Kafka');
  assert.equal(reused.kind, 'stale');
  assert.match(reused.kind === 'stale' ? reused.reason : '', /another program/);
  assert.equal(judgePidFile('garbage', undefined, 'kafka.Kafka').kind, 'stale');
});

test('judgePidFile accepts a module-qualified main class', () => {
  const esCmd = ['java', '-m', 'org.elasticsearch.server/org.elasticsearch.bootstrap.Elasticsearch'].join('\0');
  assert.equal(judgePidFile('9', esCmd, 'org.elasticsearch.bootstrap.Elasticsearch').kind, 'alive');
});

test('readPidState sees this very process as alive by its own command line, and a removed file as none', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hw-pid-'));
  try {
    const file = join(dir, 'x.pid');
    await writePidFile(file, process.pid);
    assert.equal(await readFile(file, 'utf8'), `${process.pid}\n`);
    const cmdline = await readFile(`/proc/${process.pid}/cmdline`, 'utf8');
    const firstArg = cmdline.split('\0')[0] ?? '';
    assert.deepEqual(await readPidState(file, firstArg), { kind: 'alive', pid: process.pid });
    assert.equal((await readPidState(file, 'kafka.Kafka')).kind, 'stale');
    await removePidFile(file);
    assert.deepEqual(await readPidState(file, 'kafka.Kafka'), { kind: 'none' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('judgeServiceState combines the pid and the port', () => {
  assert.equal(judgeServiceState({ kind: 'alive', pid: 5 }, true), 'running');
  assert.equal(judgeServiceState({ kind: 'alive', pid: 5 }, false), 'starting');
  assert.equal(judgeServiceState({ kind: 'none' }, false), 'stopped');
  assert.equal(judgeServiceState({ kind: 'none' }, true), 'port-taken');
  assert.equal(judgeServiceState({ kind: 'stale', pid: 5, reason: 'gone' }, false), 'stale');
  assert.equal(judgeServiceState({ kind: 'stale', pid: 5, reason: 'gone' }, true), 'port-taken');
});
