import type { Format } from '../../../shared/vocabulary.js';

// Format auto-detection for `--format auto` and analyze: by path first (cheap, reliable for the well-known
// locations), then by content sniffing of the record.

const PATH_RULES: ReadonlyArray<readonly [RegExp, Format]> = [
  [/(^|\/)libvirt\/qemu\/[^/]+\.log([.-]\d+)?$/, 'qemu'],
  // libvirtd and the modular daemons' own log files (log_outputs="1:file:/var/log/libvirt/virtqemud.log").
  [/(^|\/)(libvirtd|virt(qemu|proxy|network|storage|nodedev|secret|interface|nwfilter|log|lock)d)\.log(\.\d+)?$/, 'libvirtd'],
  [/(^|\/)(kern\.log|dmesg|messages|syslog)(\.\d+)?(\.txt)?$/, 'kernel'],
  // iostat*, or a name with iostat as a word (host1-iostat.log, sample_iostat_11.7.3.output); not nfsiostat/cifsiostat.
  [/(^|[/._-])iostat[^/]*$/, 'iostat'],
  [/\.(windbg|analyze)(\.txt)?$|(^|\/)[^/]*windbg[^/]*\.txt$/i, 'windbg'],
  [/\.xml$/i, 'winevent-xml'],
  // Named winlogbeat*, or inside a winlogbeat* folder: .json, .ndjson, .jsonl exports; Winlogbeat 7's file output
  // (`winlogbeat`, rotated `winlogbeat.1`, no extension).
  [/winlogbeat[^/]*(\/[^/]+)?\.(nd)?jsonl?$|(^|\/)winlogbeat(\.\d+)?$/i, 'winlogbeat'],
  [/\.evtx$/i, 'evtx'],
  [/\.dmp$/i, 'dump'],
];

export function detectFormatByPath(path: string): Format | undefined {
  const p = path.replace(/\\/g, '/');
  for (const [re, format] of PATH_RULES) if (re.test(p)) return format;
  return undefined;
}

/**
 * Binary guest artefacts by their magic bytes (issue 10): `ElfFile\0` EVTX file header, `ElfChnk\0` an EVTX chunk
 * shipped as bytes, `PAGEDUMP`/`PAGEDU64` kernel dump headers, `MDMP` user-mode minidumps (dead-lettered by the
 * dump parser). Undefined for anything else, including the event XML an EVTX reader ships for sound records.
 */
export function detectFormatByMagic(bytes: Uint8Array): Format | undefined {
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic === 'ElfFile\u0000' || magic === 'ElfChnk\u0000') return 'evtx';
  if (magic === 'PAGEDUMP' || magic === 'PAGEDU64' || magic.startsWith('MDMP')) return 'dump';
  return undefined;
}

/**
 * Winlogbeat's keys: `winlog` (7.x and later, nested or dotted as in Elasticsearch `fields`), or 6.x's top-level
 * event_id with computer_name, log_name or source_name. The whole record is searched: pretty-printed documents
 * sort `winlog` last, after a message that can run to kilobytes.
 */
function isWinlogbeatJson(text: string): boolean {
  if (/"winlog(\.\w+)*"\s*:/.test(text)) return true;
  return /"event_id"\s*:/.test(text) && /"(computer_name|log_name|source_name)"\s*:/.test(text);
}

// qemu domain log lines that no other format writes: libvirt's lifecycle lines in that log, qemu's
// `-msg timestamp=on` stamp (6 digits and Z, a blank for the T in some collections) before its program name,
// qemu's KVM errors and pty notice.
const QEMU_LINE =
  /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[+-]\d{4}: (?:shutting down|starting up|IO error|Starting external device|Domain id=\d+ is tainted)|^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\.\d{6}Z (?:\S*\/)?(?:qemu-system-[\w.-]+|qemu-kvm|qemu|kvm):|^KVM internal error\. Suberror|^KVM: entry failed, hardware error|^char device redirected to /m;

// libvirt daemons' lines through syslog or journalctl (any locale's month, RFC 3339, short-full/-unix stamps, with
// or without host and pid, RFC 5424), systemd's lines about their units, `systemctl status` of one, `journalctl
// -o json` entries of them, KubeVirt's virt-launcher JSON (maybe behind a container runtime's stamp). Only a
// libvirt daemon's (or its unit's) lines match: a kernel line of the same syslog file still goes to the kernel rule.
const LIBVIRT_DAEMON = '(?:libvirtd|virt(?:qemu|proxy|network|storage|nodedev|secret|interface|nwfilter|log|lock)d)';
const UNIT_VERBS = '(?:Starting|Started|Stopping|Stopped|Failed to start|Listening on)';
const LIBVIRT_UNIT_DESCRIPTIONS = '(?:Virtualization daemon|libvirt \\w+ daemon|Virtual machine (?:log|lock) manager)';
const LIBVIRT_WRAPPED = new RegExp(
  `^ ?(?:\\S+ {1,2}\\d{1,2} \\d{1,2}:\\d\\d:\\d\\d(?:\\.\\d+)?|\\d{4}-\\d\\d-\\d\\dT\\S+|\\d{9,11}\\.\\d+|[A-Z][a-z]{2} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\S+) (?:\\S+ )?(?:(?:\\S*\\/)?${LIBVIRT_DAEMON}(?:\\[\\d+\\])?: |systemd\\[1\\]: (?:.*\\b${LIBVIRT_DAEMON}\\.service\\b|${UNIT_VERBS} ${LIBVIRT_UNIT_DESCRIPTIONS})|systemd-coredump\\[\\d+\\]: Process \\d+ \\(${LIBVIRT_DAEMON}\\))` +
    `|^\\s*[●×○*] ${LIBVIRT_DAEMON}\\.service - ` +
    `|^<\\d{1,3}>1 \\S+ \\S+ ${LIBVIRT_DAEMON} ` +
    `|^\\{.*"(?:SYSLOG_IDENTIFIER|_SYSTEMD_UNIT|UNIT)"\\s*:\\s*"${LIBVIRT_DAEMON}(?:\\.service)?"` +
    `|^(?:\\S+ (?:std(?:out|err) [FP] )?)?\\{.*"component"\\s*:\\s*"virt-[a-z-]+"`,
  'mu',
);

export function detectFormatByContent(text: string): Format | undefined {
  const head = text.slice(0, 4096);
  if (head.startsWith('ElfFile\u0000')) return 'evtx';
  if (/^(PAGEDUMP|PAGEDU64|MDMP)/.test(head)) return 'dump';
  // A JSON record first: a Winlogbeat document (or a hit, array or search response holding them) may carry any
  // of the markers below in its strings (event.original is the event XML when include_xml is on).
  // (`[` only before an object: dmesg lines start with `[`.)
  if (/^[\s\uFEFF]*(\{|\[\s*\{)/.test(head) && isWinlogbeatJson(text)) return 'winlogbeat';
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}: \d+: (debug|info|warning|error) : /m.test(head)) return 'libvirtd';
  if (LIBVIRT_WRAPPED.test(head)) return 'libvirtd';
  if (/starting up libvirt version|^`?LC_ALL=C\b|-name (guest=)?\S+ .*-machine /m.test(head) || QEMU_LINE.test(head)) return 'qemu';
  if (/Bugcheck Analysis|Microsoft \(R\) Windows Debugger|^[A-Z_]+ \([0-9a-f]+\)\s*$/m.test(head)) return 'windbg';
  if (/<Event[\s>]/.test(head)) return 'winevent-xml';
  // iostat's tables: "Device  r/s ...", "avg-cpu:", or --pretty / -h with the device column last ("   tps ... Device").
  if (/^Device:?\s+.*(r\/s|rrqm\/s|tps)/m.test(head) || /^avg-cpu:/m.test(head) || /^[ \t]*(r\/s|w\/s|tps)[ \t].*[ \t]Device:?[ \t]*$/m.test(head)) return 'iostat';
  if (/^\[\s*\d+\.\d+\]|kernel: |^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ kernel/m.test(head)) return 'kernel';
  // Kernel logs in the other shapes people collect: `kernel:[uptime]` without a space (wall broadcasts), a syslogd
  // wall broadcast header, dmesg -T / --time-format iso / -e / -x stamps.
  if (/kernel(\[\d+\])?:\[|^Message from syslogd@\S+ at |^\[\S+ +\S+ +\d{1,2} \d\d:\d\d:\d\d \d{4}\] |^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d+[+-]\d\d:?\d\d |^\[\S{3}\d{1,2} \d\d:\d\d\] |^[a-z]+ *:[a-z]+ *: \[/m.test(head)) return 'kernel';
  // A WinDbg excerpt pasted without banner or plain heading: an indented or quoted heading, or the only bugcheck
  // marker left (a live kernel debugger's `*** Fatal System Error:`, `.bugcheck`'s `Bugcheck code`, an old report's
  // `BUGCHECK_STR:`). Tried last: per-record detection of other formats' lines never pays for it (~1 us a test).
  if (/^[ \t>]*(?:[A-Z][A-Z0-9_]+ \([0-9a-fA-F]+\)\s*$|BUGCHECK_(?:STR|CODE):|\*\*\* Fatal System Error: 0x|BugCheck [0-9A-Fa-f]+, \{|Bugcheck code [0-9A-Fa-f]+\s*$)/m.test(head)) return 'windbg';
  return undefined;
}

export function detectFormat(path: string, text: string): Format | undefined {
  return detectFormatByPath(path) ?? detectFormatByContent(text);
}
