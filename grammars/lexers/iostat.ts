import moo from 'moo';

// Lexer for one line of `iostat -x` output (sysstat 9.x to 12.x; sysstat's iostat.c write_ext_stat / the
// banner of print_gal_header). Lines, one record each:
//   banner      "Linux 4.4.0-62-generic (sc7) \t03/15/2017 \t_x86_64_\t(32 CPU)"   (date: locale or ISO)
//   timestamp   "03/15/2017 01:05:01 PM" | "03/15/17 13:05:01" | "2017-03-15T13:05:01+0800" (S_TIME_FORMAT=ISO)
//               | "Time: 01:05:01 PM" (sysstat < 10, date from the banner)
//   avg-cpu     "avg-cpu:  %user   %nice %system %iowait  %steal   %idle" then "           0.33    0.00 ..."
//   header      "Device:  rrqm/s wrqm/s r/s ..." (10.x) | "Device  r/s w/s rkB/s ..." (11.x/12.x, any order)
//   device      "sda   0.02  1.09 ..." (numbers use the locale's decimal mark: "0,02" under de_DE)

const ws = /[ \t]+/;
const slashDate = /\d\d\/\d\d\/\d\d(?:\d\d)?/;

export const iostatLexer = moo.states({
  start: {
    bannerOs: { match: /Linux(?=[ \t])/, next: 'banner' },
    avgCpu: { match: /avg-cpu:/, next: 'rest' },
    deviceHeader: { match: /Device:?(?=[ \t])/, next: 'header' },
    timeLabel: { match: /Time: /, next: 'clock' },
    isoStamp: { match: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:?\d\d)?/, next: 'rest' },
    slashDate: { match: new RegExp(`${slashDate.source}(?=[ \\t])`), next: 'clock' },
    // The CPU values line under avg-cpu: starts with blanks, then numbers.
    indent: { match: /[ \t]+(?=[-\d])/, next: 'values' },
    device: { match: /[^\s]+/, next: 'values' },
  },
  banner: {
    ws,
    paren: /\([^)]*\)/,
    date: new RegExp(`${slashDate.source}|\\d{4}-\\d\\d-\\d\\d`),
    word: /[^\s()]+/,
  },
  header: {
    ws,
    column: /[^\s]+/,
  },
  values: {
    ws,
    number: /-?\d+(?:[.,]\d+)?/,
    invalid: moo.error,
  },
  clock: {
    ws,
    clock: /\d\d:\d\d:\d\d/,
    meridiem: /[AP]M/,
    invalid: moo.error,
  },
  rest: {
    ws,
    text: { match: /[^]+/, lineBreaks: true },
  },
});
