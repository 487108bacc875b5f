import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles, type CollectedFile } from '../../../cli/analyze/collect-files.js';
import { parseCollectedFiles } from '../../../cli/analyze/parse-files.js';

// One bad file costs one dead letter, never the analysis of the others: a file of no known format is read by its
// head only (a sparse 3 GiB file here: read whole it failed with ERR_FS_FILE_TOO_LARGE), a file that vanished or
// cannot be read (a folder where a file was expected gives EISDIR) is a dead letter naming it, and the files
// around it give their events as if it were not there.

const silent = { advance: () => undefined, done: () => undefined };
const CREATED = '2026-06-01T00:00:00.000Z';
const LIBVIRTD = '2017-03-16 02:55:46.227+0000: 1234: error : qemuMonitorIO:697 : internal error: End of file from qemu monitor\n';

test('analyze: a 3 GiB file of unknown format is read by its head; a vanished and an unreadable file are dead letters; the rest is parsed', async () => {
  const root = mkdtempSync(join(tmpdir(), 'hangwatch-bad-files-'));
  try {
    const logs = join(root, 'kvm01', 'var', 'log', 'libvirt');
    mkdirSync(logs, { recursive: true });
    writeFileSync(join(logs, 'libvirtd.log'), LIBVIRTD);
    // Sparse: three gigabytes that take no disk, zeros but for a little text at the start.
    const big = join(root, 'kvm01', 'blob.bin');
    const fd = openSync(big, 'w');
    writeSync(fd, Buffer.from('\u0001\u0002 not a log \u0003'), 0, undefined, 0);
    writeSync(fd, Buffer.from([1]), 0, 1, 3 * 2 ** 30 - 1);
    closeSync(fd);
    const collected = await collectFiles([root]);
    const files: CollectedFile[] = [
      ...collected,
      { path: join(root, 'kvm01', 'var', 'log', 'libvirt', 'removed.log'), size: 100, format: 'libvirtd' },
      { path: join(root, 'kvm01', 'var', 'log'), size: 4096, format: 'kernel' },
      { path: join(root, 'kvm01', 'locked'), size: 0, format: undefined, unreadable: 'EACCES' },
    ];
    const before = process.memoryUsage().rss;
    const parsed = await parseCollectedFiles(files, { maxRecordBytes: 16 << 20, validate: true }, CREATED, 'localhost', silent);
    assert.ok(process.memoryUsage().rss - before < 256 << 20, 'the 3 GiB file was not read whole');
    assert.equal(parsed.events.length, 1);
    assert.equal(parsed.events[0]?.event.action, 'monitor-eof');
    const byPath = new Map(parsed.deadletters.map((d) => [d.log?.file?.path, d]));
    assert.equal(parsed.deadletters.length, 4);
    const unknown = byPath.get(big);
    assert.equal(unknown?.error.code, 'HW_PARSE_UNKNOWN_FORMAT');
    assert.match(unknown?.error.message ?? '', /3221225472 bytes/);
    assert.equal(unknown?.hangwatch.original.truncated, true);
    assert.equal(byPath.get(join(logs, 'removed.log'))?.error.code, 'HW_INPUT_UNREADABLE');
    assert.match(byPath.get(join(logs, 'removed.log'))?.error.message ?? '', /ENOENT/);
    assert.match(byPath.get(join(root, 'kvm01', 'var', 'log'))?.error.message ?? '', /EISDIR/);
    assert.match(byPath.get(join(root, 'kvm01', 'locked'))?.error.message ?? '', /EACCES/);
    assert.deepEqual(
      parsed.files.filter((f) => f.unreadable).map((f) => f.path),
      [join(logs, 'removed.log'), join(root, 'kvm01', 'var', 'log'), join(root, 'kvm01', 'locked')],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
