import { ParseFailure } from '../parse-failure.js';
import type { DomstatsMemo } from './domstats-memo.js';
import type { DomstatsLine } from './line-shape.js';
import type { HostSample, Sample, SampleTime } from './samples.js';

// Lines -> samples. A `Domain:` header opens a domain's block and its `key=value` lines fill it; a `==> file <==`
// header or a /proc line opens the host's sample; a stamp sets the time of the blocks after it. A block is
// closed by the next header or stamp, and by the end of a multi-line record (the sampler sends one block per
// record). A single-line record (a file framed by lines) leaves its block open for the next line, so a file
// read line by line gives the same samples; its very last block stays open at the end of the input.

export const GRAMMAR = 'virsh-domstats';

function newHost(time: SampleTime): HostSample {
  return { kind: 'host', time, pressure: {}, proc: new Map() };
}

function hostOf(memo: DomstatsMemo, time: SampleTime, closed: Sample[]): HostSample {
  if (memo.open?.kind === 'host') return memo.open;
  if (memo.open) closed.push(memo.open);
  const host = newHost(time);
  memo.open = host;
  return host;
}

/**
 * Feeds a record's lines; returns the samples it closed, in order.
 * @param fallback the record's time when no stamp was seen (the shipper's read time: basis `ingest`)
 */
export function feedLines(memo: DomstatsMemo, lines: readonly DomstatsLine[], multiLine: boolean, fallback: SampleTime, parseStamp: (text: string) => SampleTime): Sample[] {
  const closed: Sample[] = [];
  const timeNow = (): SampleTime => memo.stamp ?? fallback;
  const close = (): void => {
    if (memo.open) closed.push(memo.open);
    delete memo.open;
  };
  for (const line of lines) {
    switch (line.kind) {
      case 'blank':
        break;
      case 'stamp':
        close();
        memo.stamp = parseStamp(line.text);
        break;
      case 'domain':
        close();
        memo.open = { kind: 'domain', name: line.name, time: timeNow(), stats: new Map() };
        break;
      case 'stat':
        if (memo.open?.kind !== 'domain') throw new ParseFailure('HW_PARSE_NO_MATCH', GRAMMAR, `stat "${line.key}" outside a Domain block`, ['domain']);
        memo.open.stats.set(line.key, line.value);
        break;
      case 'section':
        hostOf(memo, timeNow(), closed);
        break;
      case 'pressure':
        hostOf(memo, timeNow(), closed).pressure[line.which] = line.fields;
        break;
      case 'proc':
        hostOf(memo, timeNow(), closed).proc.set(line.label, line.numbers);
        break;
      case 'loadavg':
        hostOf(memo, timeNow(), closed).loadavg = { load1: line.load1, running: line.running, total: line.total };
        break;
    }
  }
  if (multiLine) close();
  return closed;
}
