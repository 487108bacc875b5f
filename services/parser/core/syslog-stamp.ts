// The "<month> <day> HH:MM:SS" stamp that syslog daemons and `journalctl` (short format) put in front of a line,
// in the month names of the locale the host ran under. rsyslog writes English; journalctl and syslog-ng format
// with strftime's %b, so a host under LANG=de_DE writes `Mär`, fr_FR `févr.`, ru_RU `мар`, zh_CN `3月`, ja_JP
// ` 3月`. The names below are glibc's abbreviated (abmon) and, where those are cut with a dot, full (mon) month
// names of the common locales; matching is case-insensitive and ignores a trailing dot. Built from characters
// with Date.UTC by the callers (no date-fns parse() per line).

const MONTH_NAMES: ReadonlyArray<readonly string[]> = [
  // en, de, fr, es, it, pt, nl, ru (abmon, genitive and nominative), pl, sv, da/no, cs, tr, fi, ro, hu, uk
  ['jan', 'january', 'janv', 'janvier', 'ene', 'enero', 'gen', 'gennaio', 'janeiro', 'januari', 'янв', 'января', 'январь', 'sty', 'tammi', 'tammik', 'ian', 'led', 'oca', 'січ', 'jän', 'jänner'],
  ['feb', 'february', 'februar', 'févr', 'février', 'fevr', 'febrero', 'febbraio', 'fev', 'fevereiro', 'februari', 'фев', 'февр', 'февраля', 'февраль', 'lut', 'helmi', 'helmik', 'úno', 'şub', 'лют'],
  ['mar', 'march', 'mär', 'märz', 'mars', 'marzo', 'março', 'mrt', 'maart', 'мар', 'марта', 'март', 'maalis', 'maalisk', 'bře', 'márc', 'бер'],
  ['apr', 'april', 'avr', 'avril', 'abr', 'abril', 'aprile', 'апр', 'апреля', 'апрель', 'kwi', 'huhti', 'huhtik', 'dub', 'nis', 'ápr', 'кві'],
  ['may', 'mai', 'mayo', 'mag', 'maggio', 'maio', 'mei', 'мая', 'май', 'maj', 'touko', 'toukok', 'kvě', 'máj', 'тра'],
  ['jun', 'june', 'juni', 'juin', 'junio', 'giu', 'giugno', 'junho', 'июн', 'июня', 'июнь', 'cze', 'kesä', 'kesäk', 'čen', 'haz', 'jún', 'чер', 'iun'],
  ['jul', 'july', 'juli', 'juil', 'juillet', 'julio', 'lug', 'luglio', 'julho', 'июл', 'июля', 'июль', 'lip', 'heinä', 'heinäk', 'čec', 'tem', 'júl', 'лип', 'iul'],
  ['aug', 'august', 'août', 'aout', 'ago', 'agosto', 'авг', 'августа', 'август', 'sie', 'elo', 'elok', 'srp', 'ağu', 'сер'],
  ['sep', 'sept', 'september', 'septembre', 'septiembre', 'set', 'settembre', 'setembro', 'сен', 'сент', 'сентября', 'сентябрь', 'wrz', 'syys', 'syysk', 'zář', 'eyl', 'szept', 'вер'],
  ['oct', 'october', 'okt', 'oktober', 'octobre', 'octubre', 'ott', 'ottobre', 'out', 'outubro', 'окт', 'октября', 'октябрь', 'paź', 'loka', 'lokak', 'říj', 'eki', 'жов'],
  ['nov', 'november', 'novembre', 'noviembre', 'novembro', 'ноя', 'нояб', 'ноября', 'ноябрь', 'lis', 'marras', 'marrask', 'kas', 'лис'],
  ['dec', 'december', 'dez', 'dezember', 'déc', 'décembre', 'dic', 'diciembre', 'dicembre', 'dezembro', 'дек', 'декабря', 'декабрь', 'gru', 'joulu', 'jouluk', 'pro', 'ara', 'груд', 'гру'],
];

const MONTH_BY_NAME: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  MONTH_NAMES.forEach((names, i) => {
    for (const name of names) if (!map.has(name)) map.set(name, i + 1);
  });
  return map;
})();

// English first: nearly every line is rsyslog's, and one property lookup is all it costs.
const ENGLISH: Readonly<Record<string, number>> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };

/** Month number (1-12) of a month name or abbreviation in any of the locales above, or `N月`; else undefined. */
export function monthFromName(name: string): number | undefined {
  const english = ENGLISH[name];
  if (english !== undefined) return english;
  const trimmed = name.trim();
  const cjk = /^(\d{1,2})月$/.exec(trimmed);
  if (cjk) {
    const n = Number(cjk[1]);
    return n >= 1 && n <= 12 ? n : undefined;
  }
  const key = trimmed.toLowerCase().replace(/\.$/, '');
  return MONTH_BY_NAME.get(key);
}

export interface SyslogStamp {
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Milliseconds of a fractional second (journalctl -o short-precise), else 0. */
  readonly ms: number;
  /** Index just past the stamp (at the space before the host field, or the end). */
  readonly end: number;
}

// `Mar 15 06:03:48`, `Mär 15 06:03:48`, `févr. 15 06:03:48`, ` 3月 15 06:03:48`, `3月 15 06:03:48.123456`.
const STAMP = /^ ?([^\s\d:][^\s:]{0,11}|\d{1,2}月) {1,2}(\d{1,2}) (\d{1,2}):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?=\s|$)/u;

/** Reads a syslog/journalctl month-day-time stamp at the start of `text`, in any supported locale. */
export function readSyslogStamp(text: string): SyslogStamp | undefined {
  const m = STAMP.exec(text);
  if (!m) return undefined;
  const month = monthFromName(m[1] as string);
  if (month === undefined) return undefined;
  const day = Number(m[2]);
  const hour = Number(m[3]);
  const minute = Number(m[4]);
  const second = Number(m[5]);
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = m[6] ? Number(m[6].slice(0, 3).padEnd(3, '0')) : 0;
  return { month, day, hour, minute, second, ms, end: m[0].length };
}
