import {
  continuesWrapped,
  endsWithContinuation,
  isBareCommandWord,
  isFullWidth,
  isOptionLine,
  isStartHeader,
  startsCommandWords,
  startsWrappableCommand,
  withoutBacktick,
} from '../../../../shared/qemu-line-shapes.js';

// A record of several lines, taken apart again: which of the grouped shapes it is (the qemu framing groups them,
// services/shipper/core/qemu-record-framer.ts; another shipper may group a KVM dump or a whole command line too),
// and the text to parse for it.

export type RecordShape =
  /** libvirt >= 6's command line, lines ending in ` \`; `cut` when the last one does too (the input ended inside). */
  | { readonly kind: 'continued-command'; readonly text: string; readonly cut: boolean }
  /** A command line whose backslashes were lost (a markdown paste): one word group a line, joined with blanks. */
  | { readonly kind: 'bare-command'; readonly text: string }
  /** A header or one-line command line hard-wrapped at a fixed width, its pieces joined back. */
  | { readonly kind: 'wrapped'; readonly of: 'header' | 'command'; readonly text: string }
  /** Anything else: one record per line (a KVM register dump shipped as one record, grouped lines of a collector). */
  | { readonly kind: 'lines' };

export function readRecordShape(lines: readonly string[]): RecordShape {
  const first = lines[0] ?? '';
  const last = lines[lines.length - 1] ?? '';
  if (startsCommandWords(first) && lines.slice(0, -1).every(endsWithContinuation)) {
    return { kind: 'continued-command', text: withoutBacktick(lines.join('\n')), cut: endsWithContinuation(last) };
  }
  if (isBareCommandWord(first) && lines.slice(1).every((l) => isBareCommandWord(l) || isOptionLine(l) || endsWithContinuation(l))) {
    return { kind: 'bare-command', text: lines.map((l) => withoutBacktick(l).replace(/\s*\\?\s*$/, '')).join(' ') };
  }
  const of = isStartHeader(first) ? 'header' : startsWrappableCommand(first) ? 'command' : undefined;
  if (of !== undefined && isWrapped(of, lines)) return { kind: 'wrapped', of, text: unwrap(lines) };
  return { kind: 'lines' };
}

/** The wrap width: the longest piece but the last (a piece that lost a trailing blank is one shorter). */
function widthOf(lines: readonly string[]): number {
  let width = 0;
  for (let i = 0; i < lines.length - 1; i++) width = Math.max(width, (lines[i] as string).length);
  return width;
}

/** Every piece but the last is full width, and none starts a record of its own. */
function isWrapped(of: 'header' | 'command', lines: readonly string[]): boolean {
  const width = widthOf(lines);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!isFullWidth(width, (lines[i - 1] as string).length) || !continuesWrapped(of, width, line, i >= 2)) return false;
  }
  return true;
}

/**
 * Joins the pieces back: directly where a piece is full width (the wrap cut inside a word), with a blank where it
 * is one short (the wrap fell on a blank, which the paste trimmed).
 */
function unwrap(lines: readonly string[]): string {
  const width = widthOf(lines);
  let text = withoutBacktick(lines[0] as string);
  for (let i = 1; i < lines.length; i++) text += ((lines[i - 1] as string).length < width ? ' ' : '') + (lines[i] as string);
  return text;
}
