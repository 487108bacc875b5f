import moo from 'moo';

// Lexer for one Linux kernel log line, in every form a hypervisor leaves behind (DESIGN.md section 6):
//   syslog (rsyslog default):  "Mar 15 13:05:01 sc7 kernel: [18012.345678] msg"   (journalctl -o short: no [uptime])
//   journalctl -o short-precise "Mar 15 13:05:01.123456 sc7 kernel: msg"
//   rsyslog RSYSLOG_FileFormat / journalctl -o short-iso:  "2017-03-15T13:05:01.123456+08:00 sc7 kernel: msg"
//   dmesg:     "[  123.456789] msg"    dmesg -r: "<4>[  123.456789] msg"    dmesg -T: "[Wed Mar 15 13:05:01 2017] msg"
//   journalctl markers: "-- Reboot --", "-- Logs begin at ... --", "-- No entries --"
// Non-kernel programs in kern.log/messages ("libvirtd[1234]: ...") lex as a program tag plus text.
// Each stamp is one token; its numbers are taken out by position in services/parser/core/kernel/kernel-time.ts.
// The message is one `text` token; services/parser/core/kernel classifies it with grammars/kernel-message.ne.

const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const WEEKDAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';

const uptime = /\[ *\d+\.\d+\] ?/;
// CONFIG_PRINTK_CALLER adds "[    C1]" (CPU) or "[  T123]" (task) after the uptime stamp (kernel 5.1+).
const callerId = /\[ *[CT]\d+\] ?/;
const text = { match: /[^]+/, lineBreaks: true };

export const kernelLineLexer = moo.states({
  start: {
    pri: /<\d{1,3}>/,
    bsdStamp: { match: new RegExp(`${MONTH} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,9})? `), next: 'host' },
    isoStamp: { match: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d) /, next: 'host' },
    uptime: { match: uptime, next: 'caller' },
    wallClock: { match: new RegExp(`\\[${WEEKDAY} ${MONTH} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\\] ?`), next: 'caller' },
    journalMarker: { match: /-- [^]*--/, lineBreaks: true },
    invalid: moo.error,
  },
  host: {
    hostName: { match: /[^\s]+ /, next: 'tag' },
    invalid: moo.error,
  },
  tag: {
    kernelTag: { match: /kernel: ?/, next: 'kernelBody' },
    programTag: { match: /[^\s[\]:]+(?:\[\d+\])?: ?/, next: 'message' },
    text,
  },
  kernelBody: {
    uptime: { match: uptime, next: 'caller' },
    text,
  },
  caller: {
    callerId: { match: callerId, next: 'message' },
    text,
  },
  message: { text },
});
