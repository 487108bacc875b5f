import moo from 'moo';

// Lexer for one line of iostat output (sysstat 5.x to 12.x: iostat.c's print_gal_header, write_cpu_stat,
// write_disk_stat_header and the device rows). A line is one record; its first token decides what it is:
//   banner      "Linux 4.4.0-62-generic (sc7) \t03/15/2017 \t_x86_64_\t(32 CPU)"   (date: %x of the locale, or ISO)
//   timestamp   "03/15/2017 01:05:01 PM" | "03/15/17 13:05:01" | "21.05.2022 10:11:12" | "2022年05月21日 10时11分12秒"
//               | "2017-03-15T13:05:01+0800" (S_TIME_FORMAT=ISO) | "Time: 01:05:01 PM" (sysstat < 10)
//               | "1653127872" (-U, seconds since the epoch)
//   avg-cpu     "avg-cpu:  %user   %nice %system %iowait  %steal   %idle" (older: "%sys", no "%steal")
//   header      "Device:  rrqm/s wrqm/s ..." | "Device  r/s rkB/s ..." (by name, any order, tabs or blanks)
//   row         anything else: words and numbers, told apart by the format parser from the layout in force:
//               the avg-cpu values ("           0.33    0.00 ..."), a device row ("sda  0.02  1.09 ..."), a
//               --pretty row or header (device name or "Device" in the LAST column), a -g group row
//               (" disks  8.60 ..."), a pasted shell command ("$ iostat -xt 2").
// Numbers use the locale's decimal mark ("0,02" under de_DE); --human appends a unit ("222.1k", "1.5G", "1.5%").
// Every rule is anchored to what precedes it, so a device line costs one pass of sticky regexes, no backtracking
// into the whole line.

const ws = /[ \t]+/;
/** %x of the common glibc locales: 05/21/2022, 05/21/22, 21.05.2022, 21.5.2022, 21-05-22, 2022-05-21, 2022.05.21. */
const numericDate = /\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\.?/;
/** zh_CN, zh_TW, ja_JP "2022年05月21日", ko_KR "2022년 05월 21일". */
const cjkDate = /\d{4}[ \t]?[年년][ \t]?\d{1,2}[ \t]?[月월][ \t]?\d{1,2}[ \t]?[日일]/;
const dateSource = `(?:${cjkDate.source}|${numericDate.source})`;
/** Meridiem words of %r / %p: en "AM"/"PM", zh "上午"/"下午", ja "午前"/"午後", ko "오전"/"오후". */
const meridiemSource = '(?:[AaPp]\\.?[Mm]\\.?|上午|下午|午前|午後|오전|오후)';
/** A number as iostat prints it, then a blank or the end: the lookahead keeps "2f5c-..." (a -j UUID name) a word. */
const number = /-?\d+(?:[.,]\d+)?[kMGTPE%]?(?=[ \t]|$)/;
const word = /[^ \t\n]+/;

export const iostatLexer = moo.states({
  start: {
    isoStamp: { match: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?/, next: 'rest' },
    // -U (sysstat >= 12.7.8): the report's time in seconds since the epoch, alone on its line.
    epochStamp: { match: /\d{9,11}(?=[ \t]*$)/, next: 'rest' },
    // A date at the start of a line followed by a clock (or a meridiem word before it) is a -t timestamp.
    stampDate: { match: new RegExp(`${dateSource}(?=[ \\t]+(?:\\d|${meridiemSource}))`), next: 'stamp' },
    bannerOs: { match: /Linux(?=[ \t])/, next: 'release' },
    avgCpu: { match: /avg-cpu:/, next: 'header' },
    deviceHeader: { match: /Device:?(?=[ \t])/, next: 'header' },
    timeLabel: { match: /Time:(?=[ \t])/, next: 'stamp' },
    indent: { match: ws, next: 'row' },
    number: { match: number, next: 'row' },
    word: { match: word, next: 'row' },
  },
  // The kernel release right after "Linux" is its own token: "5.10.0" must not be taken for a date.
  release: {
    ws,
    release: { match: /[^\s]+/, next: 'banner' },
  },
  banner: {
    ws,
    paren: /\([^)]*\)/,
    date: new RegExp(`${dateSource}(?=[ \\t]|$)`),
    word: /[^\s()]+/,
  },
  header: {
    ws,
    column: /[^\s]+/,
  },
  stamp: {
    ws,
    // "10:11:12", "10:11", "10时11分12秒" (zh_CN), "10時11分12秒" (ja, zh_TW), "10시 11분 12초" (ko)
    clock: /\d{1,2}:\d\d(?::\d\d)?|\d{1,2}[ \t]?[时時시][ \t]?\d{1,2}[ \t]?[分분](?:[ \t]?\d{1,2}[ \t]?[秒초])?/,
    meridiem: new RegExp(`${meridiemSource}(?=[ \\t]|$)`),
    invalid: moo.error,
  },
  row: {
    ws,
    number,
    word,
  },
  rest: {
    ws,
    text: { match: /[^]+/, lineBreaks: true },
  },
});
