import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../../shared/logger.js';
import { MetricsRegistry } from '../../../shared/metrics.js';
import { RAW_HEADERS } from '../../../shared/topics.js';
import { buildShipperConfig } from '../../../services/shipper/core/file-config.js';
import type { OutRecord } from '../../../services/shipper/core/send-queue.js';
import { createFramer } from '../../../services/shipper/core/framing.js';
import { defaultSpoolPath, ShipperRuntime } from '../../../services/shipper/adapters/shipper-runtime.js';

// The end of what a file holds now is not always the end of its record: a last line without its newline, or a
// WinDbg report the debugger is still writing (symbol loading pauses it for longer than the flush timeout). What
// was shipped of it must not decide where the next read starts: the record is read again whole, at its own offset
// (so its event id is the same and the complete version replaces the partial one), never as a headless rest.

const silentLogger = createLogger({ name: 'test', level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

async function shipOnce(dir: string, file: string, format: string): Promise<Array<[number, string]>> {
  const config = buildShipperConfig({ state_dir: join(dir, 'state'), inputs: [{ type: 'file', path: file, format }], read: { scan_interval_ms: 10, poll_interval_ms: 10 } }, {}, { hostname: 'kvm01' });
  const sent: OutRecord[] = [];
  const runtime = new ShipperRuntime({
    config,
    sender: { reachable: true, send: async (records) => void sent.push(...records) },
    logger: silentLogger,
    metrics: new MetricsRegistry(),
    once: true,
    spoolPath: defaultSpoolPath(config.stateDir),
  });
  const { done } = await runtime.start();
  await done;
  return sent.map((r) => [Number(r.headers[RAW_HEADERS.offset]), r.value.toString()]);
}

test('ship --once: a last line without its newline is shipped, and the next run ships it again whole, not its rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hangwatch-unfinished-'));
  try {
    const file = join(dir, 'libvirtd.log');
    writeFileSync(file, 'first line\nsecond li');
    assert.deepEqual(await shipOnce(dir, file, 'libvirtd'), [
      [0, 'first line'],
      [11, 'second li'],
    ]);
    appendFileSync(file, 'ne\nthird line\n');
    assert.deepEqual(await shipOnce(dir, file, 'libvirtd'), [
      [11, 'second line'],
      [23, 'third line'],
    ]);
    assert.deepEqual(await shipOnce(dir, file, 'libvirtd'), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ship --once: a settled file (unchanged for flush_timeout_ms) ends with its last line, shipped once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hangwatch-unfinished-'));
  try {
    const file = join(dir, 'libvirtd.log');
    writeFileSync(file, 'first line\ncopied without a final newline');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(file, hourAgo, hourAgo);
    assert.deepEqual(await shipOnce(dir, file, 'libvirtd'), [
      [0, 'first line'],
      [11, 'copied without a final newline'],
    ]);
    assert.deepEqual(await shipOnce(dir, file, 'libvirtd'), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a WinDbg report that grows after its idle flush is emitted again whole at its offset, not split in two', () => {
  const framer = createFramer('document', 1 << 20);
  const head = 'Microsoft (R) Windows Debugger Version 10.0\nDebug session time: Wed Mar 15 13:11:54.777 2017 (GMT+8)\n';
  const rest = '0: kd> !analyze -v\nCLOCK_WATCHDOG_TIMEOUT (101)\n';
  assert.deepEqual(framer.push(Buffer.from(head)), []);
  // Idle for flush_timeout_ms: what there is goes out.
  assert.deepEqual(
    framer.end().map((f) => [f.offset, f.bytes.toString()]),
    [[0, head]],
  );
  assert.equal(framer.committedOffset, head.length);
  // Nothing new: nothing to emit again.
  assert.deepEqual(framer.end(), []);
  framer.push(Buffer.from(rest));
  assert.deepEqual(
    framer.end().map((f) => [f.offset, f.bytes.toString()]),
    [[0, head + rest]],
  );
  assert.equal(framer.committedOffset, head.length + rest.length);
});

test('a document past the record limit is an oversize record once; what comes after it starts a new document', () => {
  const framer = createFramer('document', 10);
  framer.push(Buffer.from('0123456789abc'));
  const [first] = framer.end();
  assert.equal(first?.oversize?.length, 13);
  framer.push(Buffer.from('next'));
  assert.deepEqual(
    framer.end().map((f) => [f.offset, f.bytes.toString(), f.oversize]),
    [[13, 'next', undefined]],
  );
});
