import moo from 'moo';

// Lexer for host CPU samples (issue 15): `virsh domstats --vcpu --cpu-total --raw` output and the host's
// /proc CPU files as `head`/`tail` print several files, each record optionally opened by the sample's time.
//   stamp       "2026-03-15T05:11:40.120Z" | "2017-03-15T13:11:40+08:00" | "2017-03-15T13:11:40,123456789+08:00"
//               (`date -Is` / `date -Ins`, or the hangwatch sampler's own line)
//   domain      "Domain: 'vm113'"                        (virsh-domain-monitor.c: vshPrint "Domain: '%s'")
//   stat        "  vcpu.0.delay=1305744538"              (two blanks, key, '=', value to the end of the line;
//               values are numbers with --raw, or text: block.0.path=/var/..., vcpu.0.blocking.cur=yes)
//   section     "==> /proc/pressure/cpu <=="             (head/tail's header between files)
//   pressure    "some avg10=0.00 avg60=0.00 avg300=0.00 total=123456"   (Documentation/accounting/psi.rst)
//   proc stat   "cpu  2255 34 2290 22625563 6290 127 456 0 0 0" | "cpu3 ..." | "procs_running 3"
//   loadavg     "0.12 0.08 0.05 2/283 12345"
// Lines end with \n; a record may hold any number of them.

const newline = { match: /\r?\n/, lineBreaks: true };

export const domstatsLexer = moo.states({
  start: {
    newline,
    blank: /[ \t]+(?=\r?\n|$)/,
    stamp: { match: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?/, next: 'end' },
    domain: { match: /Domain: '[^\r\n]*'/, next: 'end' },
    section: { match: /==> [^\r\n]*? <==/, next: 'end' },
    indent: { match: /[ \t]+/, next: 'statKey' },
    pressure: { match: /(?:some|full)(?=[ \t])/, next: 'fields' },
    procLabel: { match: /(?:cpu\d*|procs_running|procs_blocked|ctxt|btime|processes|intr|softirq)(?=[ \t])/, next: 'numbers' },
    loadavg: { match: /\d+\.\d+[ \t]+\d+\.\d+[ \t]+\d+\.\d+[ \t]+\d+\/\d+[ \t]+\d+/, next: 'end' },
  },
  statKey: {
    key: /[A-Za-z0-9_.-]+/,
    eq: { match: '=', next: 'statValue' },
  },
  statValue: {
    newline: { ...newline, next: 'start' },
    value: /[^\r\n\x00-\x08\x0b-\x1f]+/,
  },
  fields: {
    ws: /[ \t]+/,
    field: /[a-z0-9_]+=\d+(?:\.\d+)?/,
    newline: { ...newline, next: 'start' },
  },
  numbers: {
    ws: /[ \t]+/,
    number: /\d+/,
    newline: { ...newline, next: 'start' },
  },
  end: {
    ws: /[ \t]+/,
    newline: { ...newline, next: 'start' },
  },
});
