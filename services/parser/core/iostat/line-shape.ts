import type { Token } from 'moo';

// Post-processors of grammars/iostat.ne: one line of iostat output as its tokens. They keep tokens and token
// types only (what a line means depends on the layout in force, decided in formats/iostat.ts), so the shaped
// runner can replay a line's structure for every later line of the same token types.

export type IostatLine =
  | { readonly kind: 'banner'; readonly release: Token; readonly items: readonly Token[] }
  | { readonly kind: 'header'; readonly of: 'avg-cpu' | 'device'; readonly columns: readonly Token[] }
  | { readonly kind: 'stamp'; readonly date: Token | null; readonly clock: Token; readonly meridiem: Token | null }
  | { readonly kind: 'iso'; readonly stamp: Token }
  | { readonly kind: 'epoch'; readonly stamp: Token }
  | { readonly kind: 'row'; readonly indented: boolean; readonly items: readonly Token[] };

type Pair = readonly [Token, Token];

export function buildBanner(release: Token, items: readonly Pair[]): IostatLine {
  return { kind: 'banner', release, items: items.map((p) => p[1]) };
}

export function buildHeader(of: 'avg-cpu' | 'device', columns: readonly Pair[]): IostatLine {
  return { kind: 'header', of, columns: columns.map((p) => p[1]) };
}

export function buildStamp(date: Token | null, tail: readonly [Token | null, Token, Token | null]): IostatLine {
  return { kind: 'stamp', date, clock: tail[1], meridiem: tail[2] ?? tail[0] };
}

export function buildIsoStamp(stamp: Token): IostatLine {
  return { kind: 'iso', stamp };
}

export function buildEpochStamp(stamp: Token): IostatLine {
  return { kind: 'epoch', stamp };
}

export function buildRow(indented: boolean, items: readonly Token[]): IostatLine {
  return { kind: 'row', indented, items };
}
