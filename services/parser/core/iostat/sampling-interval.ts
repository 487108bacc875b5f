// iostat without -t prints no time per report: report k of a run came k sampling intervals after the first, and
// the interval is not in the output. It is known only from outside: configuration (ParseOptions.iostatIntervalMs,
// `--iostat-interval`), the command when it was pasted with the output ("$ iostat -xt 2"), or a file name that
// spells the command ("iostat-x-5.log"). Nothing is inferred from the numbers.

/** Options whose value is the next argument (sysstat iostat.c): -j ID|LABEL|..., -g group, -o JSON, -f/+f dir. */
const TAKES_VALUE = new Set(['j', 'g', 'o', 'f']);
/** Shell words that end the command: what follows is not iostat's. */
const COMMAND_END = /^(?:\||\|\||&&|;|&|[0-9]*>>?.*|<.*)$/;
const ALL_DIGITS = /^\d+$/;

/**
 * The interval of an iostat command line's arguments (after the word `iostat`): `iostat [options] [devices...]
 * [interval [count]]`. -p takes the next word as its device list unless it is a number or an option (what iostat
 * itself does), so `iostat -p 5` samples every 5 s. Undefined when no interval was given (one report since boot).
 */
export function intervalFromCommandArgs(args: readonly string[]): number | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (COMMAND_END.test(arg)) return undefined;
    if (arg.startsWith('--')) continue; // --human, --pretty, --dec=2, --compact
    if (arg.startsWith('-') || arg.startsWith('+')) {
      const letters = arg.slice(1);
      const next = args[i + 1];
      if ([...letters].some((c) => TAKES_VALUE.has(c))) i++;
      else if (letters.includes('p') && next !== undefined && !ALL_DIGITS.test(next) && !next.startsWith('-')) i++;
      continue;
    }
    if (ALL_DIGITS.test(arg)) {
      const seconds = Number(arg);
      return seconds > 0 ? seconds * 1000 : undefined;
    }
    // Anything else is a device name (sda, nvme0n1, ALL after -p was consumed above).
  }
  return undefined;
}

/** -y ("omit the first report with statistics since boot") in a short option group: `-y`, `-xy`, `-yxmt`. */
export function omitsSinceBootReport(args: readonly string[]): boolean {
  for (const arg of args) {
    if (COMMAND_END.test(arg)) return false;
    if (/^-[A-Za-z]+$/.test(arg) && arg.includes('y')) return true;
  }
  return false;
}

export interface IostatCommand {
  /** The sampling interval; undefined when none was given (one report since boot). */
  readonly intervalMs: number | undefined;
  /** -y: the first report is a sampled interval, not averages since boot. */
  readonly omitsSinceBoot: boolean;
}

/**
 * A command line pasted above the output: "$ iostat -xt 2", "[root@node14 ~]# iostat -t 10 dm-14",
 * "user@host:~$ sudo iostat -x 5 3 | tee out". `words` are the line's blank-separated words. Undefined when the
 * line is not an iostat command.
 */
export function readIostatCommand(words: readonly string[]): IostatCommand | undefined {
  const at = words.findIndex((w) => w === 'iostat' || w.endsWith('/iostat') || /[#$>%]iostat$/.test(w));
  if (at < 0) return undefined;
  // Only a prompt (or nothing, or sudo/env/time) may precede the command: "iostat" inside prose is no command.
  for (let i = 0; i < at; i++) {
    const w = words[i] as string;
    if (!(/[#$>%\]]$/.test(w) || w.startsWith('[') || w === 'sudo' || w === 'time' || w === 'env' || /^[A-Z_]+=/.test(w))) return undefined;
  }
  const args = words.slice(at + 1);
  return { intervalMs: intervalFromCommandArgs(args), omitsSinceBoot: omitsSinceBootReport(args) };
}

// A file name that spells the command: "iostat-x-5.log", "iostat_xt_10.txt", "iostat -dx 2 30.out",
// "iostat-5s.log". Option words must be iostat's option letters (or ALL, pretty, human, compact) and a bare
// number needs at least one of them or an "s" unit, so "iostat-1.log" (a numbered copy) and
// "sample_iostat_11.7.3.output" (a sysstat version) say nothing; neither does a date ("iostat-2022-05-21.log").
const NAME_INTERVAL =
  /(?:^|[^a-z0-9])iostat((?:[-_ .]+-{0,2}(?:[cdghjkmNpstxyzHT]+|ALL|pretty|human|compact))*)[-_ .]+(\d{1,5})(s|sec)?(?:[-_ .]+\d{1,6})?(?:\.[A-Za-z]\w*)*$/;

export function intervalFromPath(path: string): number | undefined {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const m = NAME_INTERVAL.exec(name);
  if (!m || (m[1] === '' && m[3] === undefined)) return undefined;
  const seconds = Number(m[2]);
  return seconds > 0 ? seconds * 1000 : undefined;
}
