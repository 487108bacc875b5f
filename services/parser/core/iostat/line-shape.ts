import type { Token } from 'moo';

// Post-processors of grammars/iostat.ne: one line of iostat output as plain data.

export type IostatLine =
  | { readonly kind: 'banner'; readonly host?: string; readonly date?: string }
  | { readonly kind: 'header'; readonly columns: readonly string[] }
  | { readonly kind: 'cpu' }
  | { readonly kind: 'stamp'; readonly date?: string; readonly clock?: string; readonly meridiem?: string; readonly iso?: string }
  | { readonly kind: 'device'; readonly device: string; readonly values: readonly number[] };

type Item = Token | Token[] | null;

function flatTokens(items: readonly Item[]): Token[] {
  const out: Token[] = [];
  for (const item of items) {
    if (item === null) continue;
    if (Array.isArray(item)) out.push(...flatTokens(item));
    else out.push(item);
  }
  return out;
}

export function buildBanner(rest: readonly Item[]): IostatLine {
  const tokens = flatTokens(rest);
  // The first parenthesis is the host name, the last "(32 CPU)"; the date is the first date-shaped word.
  const host = tokens.find((t) => t.type === 'paren');
  const date = tokens.find((t) => t.type === 'date');
  return { kind: 'banner', ...(host ? { host: host.text.slice(1, -1) } : {}), ...(date ? { date: date.text } : {}) };
}

export function buildHeader(columns: readonly Item[]): IostatLine {
  return { kind: 'header', columns: flatTokens(columns).filter((t) => t.type === 'column').map((t) => t.text) };
}

export function buildCpu(): IostatLine {
  return { kind: 'cpu' };
}

export function buildStamp(date: Token | null, clock: Token, meridiem: Token | null): IostatLine {
  return { kind: 'stamp', ...(date ? { date: date.text } : {}), clock: clock.text, ...(meridiem ? { meridiem: meridiem.text } : {}) };
}

export function buildIsoStamp(stamp: Token): IostatLine {
  return { kind: 'stamp', iso: stamp.text };
}

/** Locale decimal commas ("0,02") read as points. */
function numberOf(t: Token): number {
  return Number(t.text.replace(',', '.'));
}

export function buildDevice(device: Token, values: readonly Item[]): IostatLine {
  return { kind: 'device', device: device.text, values: flatTokens(values).filter((t) => t.type === 'number').map(numberOf) };
}
