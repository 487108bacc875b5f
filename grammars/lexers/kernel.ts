import moo from 'moo';

// Lexer for one Linux kernel log line, in every form a hypervisor (or a bug report) leaves behind (DESIGN.md
// section 6). Each stamp is one token; its numbers are taken out by position in
// services/parser/core/kernel/kernel-time.ts. The message is one `text` token, classified by
// grammars/kernel-message.ne.
//   syslog, rsyslog default      "Mar 15 13:05:01 sc7 kernel: [18012.345678] msg"   (journalctl -o short: no [uptime])
//     in the host's locale       "Mär 15 13:05:01 sc7 kernel: ...", "févr. 15 ...", " 3月 15 ..." (journalctl and
//                                syslog-ng format with strftime's %b; rsyslog always writes English)
//     without a host field       "Jun  2 10:11:12 kernel: [ 123.456] msg" (a syslogd told not to log the host name,
//                                or a line copied with its host cut): the token after the stamp is then the tag
//     with facility.level        "Jun  2 10:11:12 host kern.warn kernel: msg" (BusyBox syslogd without -S)
//   journalctl -o short-precise  "Mar 15 13:05:01.123456 sc7 kernel: msg"
//   journalctl -o short-iso, rsyslog RSYSLOG_FileFormat   "2017-03-15T13:05:01.123456+08:00 sc7 kernel: msg"
//   journalctl -o short-full     "Wed 2017-03-15 13:05:01 CST sc7 kernel: msg"
//   journalctl -o short-unix     "1489554301.123456 sc7 kernel: msg"
//   journalctl -o short-monotonic "[ 1234.567890] sc7 kernel: msg" (the uptime, then host and tag)
//   RFC 5424 (rsyslog's RSYSLOG_SyslogProtocol23Format, syslog receivers)
//                                "<4>1 2017-03-15T13:05:01.123456+08:00 sc7 kernel - - - [18012.3] msg"
//   Go time.String() stamps      "2016-07-31 16:26:53 +0000 UTC kern.warn kernel: msg" (Docker for Mac's VM logs)
//   OpenWrt logread, ctime       "Thu Jan  1 00:00:21 1970 kern.info kernel: [   17.25] msg"
//   dmesg                        "[  123.456789] msg"   -r: "<4>[  123.456789] msg"   -x: "kern  :warn  : [ 1.2] msg"
//     -T / --time-format ctime   "[Wed Mar 15 13:05:01 2017] msg" (strftime: localized day and month names)
//     --time-format iso          "2017-03-15T13:05:01,123456+08:00 msg"
//     -e / --time-format reltime "[Mar15 13:05] msg" then "[  +0.000123] msg";  -d: "[  123.456789 <    0.000123>] msg"
//     CONFIG_PRINTK_CALLER       "[  123.456789][    C1] msg" / "[T123]" (kernel 5.1+, after the uptime)
//   journalctl markers           "-- Reboot --", "-- Logs begin at ... --", "-- Boot 1a2b... --", "-- No entries --"
// Non-kernel programs in kern.log/messages ("libvirtd[1234]: ...") lex as a program tag plus text.
// Lines that start with none of these (a wall broadcast, a shell prompt, a message without a stamp) fail here on
// purpose: services/parser/core/kernel/unstamped-line.ts looks at them.

// A month name in any locale: a word with no digit (Mar, Mär, févr., мар) or a CJK `3月` (with the space
// strftime pads it with). The name is checked against the locales' month names when the stamp is decoded.
const MONTH_WORD = '(?: ?\\d{1,2}月|[^\\s\\d:[\\]<>(){}#$@/\\\\"\'=*+-][^\\s:]{0,11})';
const uptime = /\[ *\d+\.\d+(?: <[ \d.]+>)?\] ?/;
// CONFIG_PRINTK_CALLER adds "[    C1]" (CPU) or "[  T123]" (task) after the uptime stamp (kernel 5.1+).
const callerId = /\[ *[CT]\d+\] ?/;
const text = { match: /[^]+/, lineBreaks: true };
// RFC 3164 facility and severity names as syslogd writes them with `%syslogfacility-text%.%syslogseverity-text%`
// (BusyBox, Docker for Mac, rsyslog templates).
const facLevel = /(?:kern|user|mail|daemon|auth|authpriv|syslog|lpr|news|uucp|cron|ftp|ntp|security|console|local[0-7])\.(?:emerg|panic|alert|crit|err|error|warn|warning|notice|info|debug) /;
const kernelTag = /kernel(?:\[\d+\])?: ?/;
// `name:` / `name[pid]:` followed by a space or the end: an IPv6 host ("fe80::1") is not a tag.
const programTag = /[^\s[\]:]+(?:\[\d+\])?:(?= |$) ?/;

// RFC 5424 after the host: APP-NAME PROCID MSGID STRUCTURED-DATA, each `-` when absent.
const SD = '(?:-|(?:\\[(?:[^\\]"\\\\]|\\\\.|"(?:[^"\\\\]|\\\\.)*")*\\])+)';

export const kernelLineLexer = moo.states({
  start: {
    rfc5424: { match: /<\d{1,3}>1 /, next: 'rfcStamp' },
    pri: /<\d{1,3}>/,
    decoded: /[a-z]+ *:[a-z]+ *: /,
    ctimeStamp: { match: /[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} /, next: 'host' },
    fullStamp: { match: /(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})? [\w+\-:/]{1,32} /, next: 'host' },
    bsdStamp: { match: new RegExp(`${MONTH_WORD} {1,2}\\d{1,2} \\d{1,2}:\\d\\d:\\d\\d(?:\\.\\d{1,9})? `), next: 'host' },
    isoStamp: { match: /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?(?: ?(?:Z|[+-]\d\d(?::?\d\d)?)(?: [A-Z]{3,5}| [+-]\d{2,4})?| UTC| GMT)? /, next: 'host' },
    dmesgIso: { match: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d{1,9}[+-]\d\d:?\d\d ?/, next: 'caller' },
    epochStamp: { match: /\d{9,10}\.\d{1,9} /, next: 'host' },
    uptime: { match: uptime, next: 'caller' },
    delta: { match: /\[ *\+\d+\.\d+\] ?|\[< *\d+\.\d+>\] ?/, next: 'caller' },
    reltime: { match: /\[[^\s\d\]]{2,12}\d{1,2} \d\d:\d\d\] ?/, next: 'caller' },
    wallClock: { match: /\[[^\s\]]{1,12} +[^\s\]]{1,12} +\d{1,2} \d\d:\d\d:\d\d \d{4}\] ?/, next: 'caller' },
    journalMarker: { match: /-- [^]*--/, lineBreaks: true },
    invalid: moo.error,
  },
  // After a syslog stamp: a host name, or already the tag when the line has no host field.
  host: {
    facLevel: { match: facLevel, next: 'tag' },
    kernelTag: { match: kernelTag, next: 'kernelBody' },
    programTag: { match: programTag, next: 'message' },
    hostName: { match: /[^\s]+ /, next: 'tag' },
    invalid: moo.error,
  },
  tag: {
    facLevel: { match: facLevel, next: 'tag' },
    kernelTag: { match: kernelTag, next: 'kernelBody' },
    programTag: { match: /[^\s[\]:]+(?:\[\d+\])?: ?/, next: 'message' },
    text,
  },
  rfcStamp: {
    isoStamp: { match: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d) /, next: 'rfcHost' },
    invalid: moo.error,
  },
  rfcHost: {
    hostName: { match: /[^\s]+ /, next: 'rfcApp' },
    invalid: moo.error,
  },
  rfcApp: {
    rfcKernelApp: { match: new RegExp(`kernel (?:-|\\d+) \\S+ ${SD} ?`), next: 'kernelBody' },
    rfcApp: { match: new RegExp(`\\S+ (?:-|\\d+) \\S+ ${SD} ?`), next: 'message' },
    invalid: moo.error,
  },
  kernelBody: {
    uptime: { match: uptime, next: 'caller' },
    text,
  },
  caller: {
    callerId: { match: callerId, next: 'message' },
    // journalctl -o short-monotonic: host and the kernel's tag after the uptime. Only the kernel's: "usb 1-1: ..."
    // is a dmesg message, not a host and a tag.
    monotonicTag: { match: /[^\s[\]:]+ kernel(?:\[\d+\])?: ?/, next: 'message' },
    text,
  },
  message: { text },
});
