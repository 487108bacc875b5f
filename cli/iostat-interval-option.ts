import { HangwatchError } from '../shared/errors.js';

// `--iostat-interval SECONDS` of `hangwatch parse` and `analyze`: the sampling interval of iostat output collected
// without -t, which the output does not print (ParseOptions.iostatIntervalMs).

export const IOSTAT_INTERVAL_HELP = `  --iostat-interval SECONDS  sampling interval of iostat output without -t (\`iostat -x 5\`: 5): report k is dated
                      the banner's date + k intervals (else from a pasted command or a name like iostat-x-5.log)`;

export function readIostatIntervalMs(value: string | boolean | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(seconds) || seconds <= 0) throw new HangwatchError('HW_USAGE', ['--iostat-interval must be a positive number of seconds']);
  return Math.round(seconds * 1000);
}
