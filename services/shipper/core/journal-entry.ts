import type { Format } from '../../../shared/vocabulary.js';
import { RAW_HEADERS } from '../../../shared/topics.js';
import { buildRawRecord } from './raw-message.js';
import type { OutRecord } from './send-queue.js';

// journald entries (issue 14, `journalctl -o json`) as hangwatch.raw.v1 messages. The value is the entry's MESSAGE;
// the format comes from the unit (libvirtd, virtqemud, virtlogd -> libvirtd; the kernel transport -> kernel); the
// journal's own time (__REALTIME_TIMESTAMP, microseconds) rides in hw-time so the parser uses it rather than a
// time the message does not have; the cursor is the record's id (hw-source-id, event.id = fingerprint + cursor)
// and the durable read position (journalctl --after-cursor). Pure: the adapter runs journalctl.

export const DEFAULT_JOURNAL_UNITS = ['libvirtd', 'virtqemud', 'virtlogd'] as const;

/** What the parser can read, by unit name (without `.service`). */
const FORMAT_BY_UNIT: Readonly<Record<string, Format>> = { libvirtd: 'libvirtd', virtqemud: 'libvirtd', virtlogd: 'libvirtd' };

export interface JournalctlQuery {
  /** journalctl and any leading arguments. */
  readonly command: readonly string[];
  /** A journal file (--file) instead of the system journal. */
  readonly file?: string;
  readonly units: readonly string[];
  readonly kernel: boolean;
  /** Keep running and print new entries (service mode); without it journalctl exits at the end (--once). */
  readonly follow: boolean;
  /** Resume after this entry; without one the whole journal is read. */
  readonly cursor?: string;
}

function unitName(unit: string): string {
  return unit.endsWith('.service') ? unit : `${unit}.service`;
}

/** The journalctl command line: matches on one field are ORed, `+` ORs the kernel transport in (journalctl(1)). */
export function buildJournalctlArgs(q: JournalctlQuery): string[] {
  const [program, ...lead] = q.command;
  const args = [...lead, '-o', 'json', '--no-pager'];
  if (q.file) args.push('--file', q.file);
  if (q.follow) args.push('--follow');
  // --follow starts with the last 10 entries, even after --after-cursor (systemd 252, measured): --no-tail always.
  args.push('--no-tail');
  if (q.cursor) args.push('--after-cursor', q.cursor);
  const units = q.units.map((u) => `_SYSTEMD_UNIT=${unitName(u)}`);
  args.push(...units);
  if (q.kernel) {
    if (units.length > 0) args.push('+');
    args.push('_TRANSPORT=kernel');
  }
  return [program ?? 'journalctl', ...args];
}

export interface JournalRecord {
  readonly cursor: string;
  /** Undefined for an entry that is not shipped (no MESSAGE, a unit the parser cannot read). */
  readonly record?: OutRecord;
}

type Entry = Readonly<Record<string, unknown>>;

/** journalctl prints a field that is not valid UTF-8 (or has control characters) as an array of byte values. */
function fieldBytes(v: unknown): Buffer | undefined {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (Array.isArray(v) && v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]);
  return undefined;
}

function fieldText(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function formatOfEntry(entry: Entry): { readonly format: Format; readonly source: string } | undefined {
  if (entry._TRANSPORT === 'kernel') return { format: 'kernel', source: 'kernel' };
  const unit = fieldText(entry._SYSTEMD_UNIT)?.replace(/\.service$/, '') ?? fieldText(entry.SYSLOG_IDENTIFIER);
  const format = unit === undefined ? undefined : FORMAT_BY_UNIT[unit];
  return format && unit ? { format, source: `${unit}.service` } : undefined;
}

/** Sequence number from the cursor's `i=` (hex): the hw-offset header (event ids do not use it). */
function seqnumOf(entry: Entry, cursor: string): number {
  const seq = fieldText(entry.__SEQNUM);
  if (seq && /^\d+$/.test(seq)) return Number(seq);
  const m = /(?:^|;)i=([0-9a-f]+)/.exec(cursor);
  const n = m ? Number.parseInt(m[1] as string, 16) : 0;
  return Number.isSafeInteger(n) ? n : 0;
}

/** One line of `journalctl -o json`; undefined when it is not an entry (no cursor). */
export function buildJournalRecord(line: string, host: string, created: string): JournalRecord | undefined {
  let entry: Entry;
  try {
    entry = JSON.parse(line) as Entry;
  } catch {
    return undefined;
  }
  const cursor = fieldText(entry?.__CURSOR);
  if (!cursor) return undefined;
  const kind = formatOfEntry(entry);
  let message = fieldBytes(entry.MESSAGE);
  if (!kind || !message) return { cursor };
  const fn = fieldText(entry.CODE_FUNC);
  const fnLine = fieldText(entry.CODE_LINE);
  // libvirt's journald output keeps the function apart (CODE_FUNC/CODE_LINE); the parser needs it (monitor EOF is
  // classified by qemuProcessHandleMonitorEOF): put it back in front in libvirt's own `fn:line : message` form.
  if (kind.format === 'libvirtd' && fn && fnLine && /^\d+$/.test(fnLine)) message = Buffer.concat([Buffer.from(`${fn}:${fnLine} : `), message]);
  const micros = fieldText(entry.__REALTIME_TIMESTAMP);
  const time = micros && /^\d+$/.test(micros) ? new Date(Number(BigInt(micros) / 1000n)).toISOString() : undefined;
  const record = buildRawRecord(
    { host, path: `journald/${kind.source}`, format: kind.format, fingerprint: `journald:${host}`, mtime: time ?? created },
    { offset: seqnumOf(entry, cursor), bytes: message },
    created,
    Number.MAX_SAFE_INTEGER,
  );
  const headers = { ...record.headers, [RAW_HEADERS.sourceId]: cursor, ...(time ? { [RAW_HEADERS.time]: time } : {}) };
  return { cursor, record: { ...record, headers, cost: record.cost + cursor.length + RAW_HEADERS.sourceId.length + 40 } };
}
