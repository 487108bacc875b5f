import moo from 'moo';

// Lexer for libvirtd / virtqemud / virtlogd log lines (libvirt src/util/virlog.c virLogFormatString):
//   "2017-03-15 06:03:48.180+0000: 13914: error : qemuMonitorIO:689 : internal error: End of file from monitor"
// optionally behind a syslog/journald prefix ("Mar 15 06:03:48 sc7 libvirtd[13914]: "), and old forms:
// libvirt < 0.9 wrote "09:53:04.233: 3521: error : ..." (no date), some versions omit "function:line : ".
// About six tokens a line: the grammar over them is cheap (DESIGN.md section 9 measured ~350k lines/s).

export const lexer = moo.states({
  start: {
    ws: /[ \t]+/,
    stamp: { match: /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[+-]\d{4}: /, next: 'thread' },
    clock: { match: /\d\d:\d\d:\d\d\.\d{3}: /, next: 'thread' },
    syslog: { match: /[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d [^\s:[\]]+ (?:libvirtd|virtqemud|virtlogd|virtproxyd|virtnetworkd|virtstoraged|virtnodedevd)\[\d+\]: /, next: 'afterSyslog' },
    isoSyslog: { match: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d) [^\s:[\]]+ (?:libvirtd|virtqemud|virtlogd|virtproxyd|virtnetworkd|virtstoraged|virtnodedevd)\[\d+\]: /, next: 'afterSyslog' },
  },
  afterSyslog: {
    stamp: { match: /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[+-]\d{4}: /, next: 'thread' },
    thread: { match: /\d+: (?=(?:debug|info|warning|error) : )/, next: 'level' },
    level: { match: /(?:debug|info|warning|error) : /, next: 'origin' },
    rest: { match: /.+/, next: 'start' },
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
