import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectFiles } from '../../../cli/analyze/collect-files.js';
import { parseCollectedFiles } from '../../../cli/analyze/parse-files.js';
import { correlateAll } from '../../../services/correlator/core/index.js';
import { filetimeOf } from '../../fixtures/evtx/event-specs.js';
import { writeDumpHeader } from '../../fixtures/dump/dump-header-writer.js';

// `hangwatch analyze` over a guest folder holding a WinDbg report without `Debug session time` (most pasted and
// saved reports) and the guest's System events: the report is dated by the guest's Kernel-Power 41 of the same
// crash and joins its incident, rather than opening one dated by the report file's modification time.

const REAL_REPORT = fileURLToPath(new URL('../../fixtures/real-logs/windbg/npcap-663-dpc-watchdog-133.txt', import.meta.url));
const silent = { advance: () => undefined, done: () => undefined };
const CREATED = '2026-06-01T00:00:00.000Z';

function systemEvent(id: string, provider: string, record: number, at: string, data = ''): string {
  return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='${provider}'/><EventID>${id}</EventID><Version>0</Version><Level>${id === '41' ? 1 : 4}</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords><TimeCreated SystemTime='${at}'/><EventRecordID>${record}</EventRecordID><Correlation/><Execution ProcessID='0' ThreadID='0'/><Channel>System</Channel><Computer>WIN10-VM1</Computer><Security/></System><EventData>${data}</EventData></Event>`;
}

/** The guest's last service change before it hung, its next boot (6005) and that boot's 41 naming bugcheck 0x133 (307). */
const SYSTEM_XML = [
  systemEvent('7036', 'Service Control Manager', 9001, '2024-05-02T09:58:00.000000000Z', "<Data Name='param1'>Windows Update</Data><Data Name='param2'>running</Data>"),
  systemEvent('6005', 'EventLog', 9002, '2024-05-02T10:05:00.000000000Z'),
  systemEvent(
    '41',
    'Microsoft-Windows-Kernel-Power',
    9003,
    '2024-05-02T10:05:30.000000000Z',
    "<Data Name='BugcheckCode'>307</Data><Data Name='BugcheckParameter1'>0x0</Data><Data Name='BugcheckParameter2'>0x501</Data><Data Name='BugcheckParameter3'>0x500</Data><Data Name='BugcheckParameter4'>0xfffff8004c8fb320</Data><Data Name='SleepInProgress'>0</Data><Data Name='PowerButtonTimestamp'>0</Data>",
  ),
].join('\n');

async function analyze(root: string) {
  const files = await collectFiles([root]);
  const parsed = await parseCollectedFiles(files, { maxRecordBytes: 16 << 20, validate: true }, CREATED, 'localhost', silent);
  return { parsed, ...correlateAll(parsed.events, {}) };
}

function guestFolder(withSystemEvents: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'hangwatch-undated-windbg-'));
  const guest = join(root, 'kvm7', 'guests', 'vm1');
  mkdirSync(guest, { recursive: true });
  copyFileSync(REAL_REPORT, join(guest, 'bsod-report.txt'));
  // A copy made long after the crash: its modification time says nothing about when the guest crashed.
  utimesSync(join(guest, 'bsod-report.txt'), new Date('2025-12-31T00:00:00Z'), new Date('2025-12-31T00:00:00Z'));
  if (withSystemEvents) writeFileSync(join(guest, 'System.xml'), SYSTEM_XML);
  return root;
}

test('analyze host/guests/vm1/ with an undated WinDbg report and the System events: one incident at the 41\'s crash time', async () => {
  const root = guestFolder(true);
  try {
    const { parsed, incidents, events } = await analyze(root);
    assert.deepEqual(parsed.deadletters, []);
    assert.deepEqual(parsed.files.map((f) => f.format).sort(), ['windbg', 'winevent-xml']);
    assert.equal(incidents.length, 1, JSON.stringify(incidents.map((i) => [i['@timestamp'], i.incident.kind, i.incident.clock])));
    const incident = incidents[0]!;
    assert.equal(incident.libvirt.hypervisor, 'kvm7');
    assert.equal(incident.libvirt.domain.name, 'vm1');
    assert.equal(incident.incident.kind, 'bugcheck');
    // The guest's last sign of life before the reboot the 41 reports.
    assert.equal(incident['@timestamp'], '2024-05-02T09:58:00.000Z');
    assert.equal(incident.incident.clock.basis, 'guest-event');
    assert.deepEqual(incident.windows?.bugcheck?.parameters, ['0x0', '0x501', '0x500', '0xfffff8004c8fb320']);
    assert.equal(incident.windows?.bugcheck?.name, 'DPC_WATCHDOG_VIOLATION');
    const report = events.find((e) => e.event.dataset === 'windows.windbg');
    assert.equal(report?.['@timestamp'], '2024-05-02T10:05:30.000Z');
    assert.equal(report?.hangwatch.time.basis, 'guest-event');
    assert.equal(incident.incident.signals?.length, 2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('analyze with the report alone: one incident dated by the report file\'s modification time, and it says so', async () => {
  const root = guestFolder(false);
  try {
    const { incidents } = await analyze(root);
    assert.equal(incidents.length, 1);
    assert.equal(incidents[0]?.['@timestamp'], '2025-12-31T00:00:00.000Z');
    assert.equal(incidents[0]?.incident.clock.basis, 'file-mtime');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('analyze with the undated report beside the minidump it names: one incident at the dump header\'s time, basis dump-header', async () => {
  const root = guestFolder(false);
  try {
    const guest = join(root, 'kvm7', 'guests', 'vm1');
    mkdirSync(join(guest, 'Minidump'));
    // The minidump of the same crash (code 0x133 and the report's four parameters), written at the crash.
    const header = writeDumpHeader({ bits: 64, dumpType: 4, bugcheckCode: 0x133, parameters: [0n, 0x501n, 0x500n, 0xfffff8004c8fb320n], systemTime: filetimeOf('2024-05-02T09:59:41.2500000Z') });
    writeFileSync(join(guest, 'Minidump', '050224-9421-01.dmp'), header);
    const { parsed, incidents, events } = await analyze(root);
    assert.deepEqual(parsed.deadletters, []);
    assert.equal(incidents.length, 1, JSON.stringify(incidents.map((i) => [i['@timestamp'], i.incident.clock])));
    assert.equal(incidents[0]?.['@timestamp'], '2024-05-02T09:59:41.250Z');
    assert.equal(incidents[0]?.incident.clock.basis, 'dump-header');
    assert.equal(incidents[0]?.windows?.bugcheck?.name, 'DPC_WATCHDOG_VIOLATION');
    const report = events.find((e) => e.event.dataset === 'windows.windbg');
    assert.equal(report?.['@timestamp'], '2024-05-02T09:59:41.250Z');
    assert.equal(report?.hangwatch.time.basis, 'dump-header');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
