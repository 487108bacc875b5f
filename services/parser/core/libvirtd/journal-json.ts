// An entry of `journalctl -u libvirtd -o json` (or `-o json-pretty` joined to a line), saved to a file and read
// back: the journal's fields, not text. libvirt's journald output (src/util/virlog.c virLogOutputToJournald) sets
// CODE_FUNC and CODE_LINE, and PRIORITY from its level; systemd's own entries about the unit carry UNIT=.
//   {"__REALTIME_TIMESTAMP":"1704446430123456","_HOSTNAME":"kvm01","SYSLOG_IDENTIFIER":"virtqemud","_PID":"2200",
//    "PRIORITY":"3","CODE_FUNC":"qemuMonitorIO","CODE_LINE":"578","MESSAGE":"internal error: End of file ..."}
// journalctl writes a field that is not valid UTF-8 as an array of byte values.

export interface JournalJsonEntry {
  /** __REALTIME_TIMESTAMP: microseconds since the epoch, as ms. */
  readonly ms?: number;
  readonly message: string;
  readonly host?: string;
  readonly program?: string;
  readonly pid?: number;
  readonly fn?: string;
  readonly fnLine?: number;
  readonly level?: string;
}

// syslog(3) priorities as libvirt's level names (virLogPrioritySyslog in reverse).
const LEVELS: Readonly<Record<string, string>> = { '0': 'error', '1': 'error', '2': 'error', '3': 'error', '4': 'warning', '5': 'info', '6': 'info', '7': 'debug' };

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]).toString('utf8');
  return undefined;
}

/** A journal entry's fields, when the object is one (it has MESSAGE and a realtime stamp or a cursor). */
export function readJournalJson(doc: Readonly<Record<string, unknown>>): JournalJsonEntry | undefined {
  const message = text(doc.MESSAGE);
  if (message === undefined || (doc.__REALTIME_TIMESTAMP === undefined && doc.__CURSOR === undefined)) return undefined;
  const us = Number(text(doc.__REALTIME_TIMESTAMP));
  const pid = Number(text(doc._PID) ?? text(doc.SYSLOG_PID));
  const fnLine = Number(text(doc.CODE_LINE));
  const fn = text(doc.CODE_FUNC);
  return {
    message,
    ms: Number.isFinite(us) && us > 0 ? Math.floor(us / 1000) : undefined,
    host: text(doc._HOSTNAME),
    program: text(doc.SYSLOG_IDENTIFIER) ?? text(doc._COMM),
    pid: Number.isSafeInteger(pid) && pid > 0 ? pid : undefined,
    fn: fn && /^[A-Za-z_]\w*$/.test(fn) ? fn : undefined,
    fnLine: Number.isSafeInteger(fnLine) ? fnLine : undefined,
    level: LEVELS[text(doc.PRIORITY) ?? ''],
  };
}
