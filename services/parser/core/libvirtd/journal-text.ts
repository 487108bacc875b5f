import type { EventAction } from '../../../../shared/vocabulary.js';
import { readWeekdayStamp, type PrefixTime } from './syslog-prefix.js';
import { isLibvirtUnit, unitStateAction } from './systemd-unit.js';

// Lines of `journalctl` and `systemctl status` text that are not log records, and the one status line that dates
// a fact. journalctl writes markers between records (`-- Boot 3f2a… --`, `-- Logs begin at … --`,
// `-- No entries --`) and, with -x, catalog text (`-- Subject: …`, newer systemd `░░ Subject: …`);
// `systemctl status` writes a header before the unit's last journal lines:
//   × libvirtd.service - libvirt legacy monolithic daemon
//        Loaded: loaded (/usr/lib/systemd/system/libvirtd.service; enabled; preset: enabled)
//        Active: failed (Result: core-dump) since Mon 2020-06-08 13:37:55 CST; 30s ago
//      Main PID: 868 (code=dumped, signal=SEGV)
//        CGroup: /system.slice/libvirtd.service
//                └─868 /usr/sbin/libvirtd
// Pasted logs bring shell prompts, `...` elisions, code fences and pager lines. None of these is a record: each
// becomes a dead letter that says what it is (nothing vanishes silently). The `Active:` line with a `since` time is
// kept as an event: the unit's state since then, the only trace of a crash once the journal lines scrolled away.

const MARKER = /^-- .*--$/;
const CATALOG = /^(?:--|░░)(?: |$)/u;
const STATUS_UNIT = /^\s*(?:[●×○↻*] )?([\w@.:\\-]+\.(?:service|socket|timer|scope|slice|target|path|mount)) - /u;
const STATUS_FIELD =
  /^\s*(?:Loaded|Active|Drop-In|TriggeredBy|Triggers|Docs|Process|Main PID|Tasks|Memory|Mem peak|Swap peak|Swap|CPU|CGroup|IP|IO|Invocation|Duration|Status|Listen|Accepted|Connected|Condition|Assert|Until|Warning|Notice|Follows|Hint): /;
const TREE = /^\s*[└├│]/u;
const ACTIVE = /^\s*Active: ((\w+)(?: \(([^)]*)\))?(?: \(Result: ([\w-]+)\))?)(?: since )?/;
const PROMPT = /^(?:\[[^\]]*\][#$]|[\w.-]+@[\w.-]+:\S*[#$]|[#$]) /;
const ELISION = /^\s*(?:\.{3,}|…)\s*$/u;
const FENCE = /^\s*(?:```|~~~)/;
const PAGER = /^(?:lines \d+-\d+(?:\/\d+)?(?: \(END\))?|\(END\))\s*$/;

export type JournalTextLine =
  | { readonly kind: 'not-a-record'; readonly reason: string; readonly statusUnit?: string }
  | { readonly kind: 'unit-state'; readonly action: EventAction; readonly time: PrefixTime; readonly state: string };

/** What a line of journal or status text is when it is not a prefixed record; undefined for anything else. */
export function readJournalText(text: string, statusUnit: string | undefined): JournalTextLine | undefined {
  if (text.charCodeAt(0) === 45 /* - */ && MARKER.test(text)) return { kind: 'not-a-record', reason: 'a journalctl marker between records (boot, log range or no entries)' };
  if (CATALOG.test(text)) return { kind: 'not-a-record', reason: 'journalctl -x catalog text explaining the record before it' };
  const unit = STATUS_UNIT.exec(text);
  if (unit) return { kind: 'not-a-record', reason: 'the systemctl status header naming the unit', statusUnit: unit[1] as string };
  const active = ACTIVE.exec(text);
  if (active) {
    const since = text.indexOf(' since ');
    const stamp = since >= 0 ? readWeekdayStamp(text, since + 7) : undefined;
    const action = unitStateAction(active[2] as string, active[4]);
    // `Active: inactive (dead)` without a `since`: the unit has not run since boot, no fact with a time.
    if (!stamp) return { kind: 'not-a-record', reason: 'a systemctl status header line (unit state without a time)' };
    const isLibvirt = statusUnit === undefined || isLibvirtUnit(statusUnit);
    return { kind: 'unit-state', action: isLibvirt ? action : 'other', state: active[1] as string, time: stamp.time };
  }
  if (STATUS_FIELD.test(text) || TREE.test(text)) return { kind: 'not-a-record', reason: 'a systemctl status header line (unit summary, not a log record)' };
  if (PROMPT.test(text)) return { kind: 'not-a-record', reason: 'a shell prompt and command pasted with the log' };
  if (ELISION.test(text)) return { kind: 'not-a-record', reason: 'an elision (lines left out by whoever pasted the log)' };
  if (FENCE.test(text)) return { kind: 'not-a-record', reason: 'a markdown code fence pasted with the log' };
  if (PAGER.test(text)) return { kind: 'not-a-record', reason: "the pager's status line pasted with the log" };
  return undefined;
}
