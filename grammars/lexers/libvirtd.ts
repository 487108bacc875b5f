import moo from 'moo';

// Lexer for libvirt's own log line (libvirt src/util/virlog.c virLogFormatString):
//   "2017-03-15 06:03:48.180+0000: 13914: error : qemuMonitorIO:689 : internal error: End of file from monitor"
// and the old forms: libvirt < 0.9 wrote "09:53:04.233: 3521: error : ..." (no date), some versions omit
// "function:line : ". libvirt's syslog output drops the stamp ("13914: error : fn:689 : msg"): that form is
// lexed here too, but the parser accepts it only behind a syslog/journal prefix, which typed code reads
// (services/parser/core/libvirtd/syslog-prefix.ts: locale month names and any program are more than a token).
// About six tokens a line: the grammar over them is cheap (DESIGN.md section 9 measured ~350k lines/s).

export const lexer = moo.states({
  start: {
    stamp: { match: /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[+-]\d{4}: /, next: 'thread' },
    clock: { match: /\d\d:\d\d:\d\d\.\d{3}: /, next: 'thread' },
    thread: { match: /\d+: (?=(?:debug|info|warning|error) : )/, next: 'level' },
    level: { match: /(?:debug|info|warning|error) : /, next: 'origin' },
  },
  thread: {
    thread: { match: /\d+: /, next: 'level' },
    level: { match: /(?:debug|info|warning|error) : /, next: 'origin' },
  },
  level: {
    level: { match: /(?:debug|info|warning|error) : /, next: 'origin' },
  },
  origin: {
    origin: { match: /[A-Za-z_][A-Za-z0-9_]*:\d+ : /, next: 'message' },
    rest: { match: /.+/, next: 'start' },
  },
  message: {
    rest: { match: /.+/, next: 'start' },
  },
});
