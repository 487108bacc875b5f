import type { Token } from 'moo';

// Post-processors of grammars/virsh-domstats.ne: each line of a host CPU sample record as plain data.

export type DomstatsLine =
  | { readonly kind: 'stamp'; readonly text: string }
  | { readonly kind: 'domain'; readonly name: string }
  | { readonly kind: 'section'; readonly path: string }
  | { readonly kind: 'stat'; readonly key: string; readonly value: string }
  | { readonly kind: 'pressure'; readonly which: 'some' | 'full'; readonly fields: Readonly<Record<string, number>> }
  | { readonly kind: 'proc'; readonly label: string; readonly numbers: readonly string[] }
  | { readonly kind: 'loadavg'; readonly load1: number; readonly running: number; readonly total: number }
  | { readonly kind: 'blank' };

type Item = Token | Item[] | null;

function flatTokens(items: readonly Item[]): Token[] {
  const out: Token[] = [];
  for (const item of items) {
    if (item === null) continue;
    if (Array.isArray(item)) out.push(...flatTokens(item));
    else out.push(item);
  }
  return out;
}

/** `(line:? %newline):* line:?` -> the lines, without the empty ones between consecutive newlines. */
export function collectLines(pairs: ReadonlyArray<readonly [DomstatsLine | null, Token]>, last: DomstatsLine | null): DomstatsLine[] {
  const out: DomstatsLine[] = [];
  for (const [line] of pairs) if (line) out.push(line);
  if (last) out.push(last);
  return out;
}

export function buildStamp(t: Token): DomstatsLine {
  return { kind: 'stamp', text: t.text };
}

export function buildDomain(t: Token): DomstatsLine {
  // "Domain: 'name'": the name is everything between the first and the last quote.
  return { kind: 'domain', name: t.text.slice("Domain: '".length, -1) };
}

export function buildSection(t: Token): DomstatsLine {
  return { kind: 'section', path: t.text.slice(4, -4).trim() };
}

export function buildStat(key: Token, value: Token | null): DomstatsLine {
  return { kind: 'stat', key: key.text, value: value ? value.text.trimEnd() : '' };
}

export function buildPressure(which: Token, rest: readonly Item[]): DomstatsLine {
  const fields: Record<string, number> = {};
  for (const t of flatTokens(rest)) {
    if (t.type !== 'field') continue;
    const eq = t.text.indexOf('=');
    fields[t.text.slice(0, eq)] = Number(t.text.slice(eq + 1));
  }
  return { kind: 'pressure', which: which.text as 'some' | 'full', fields };
}

export function buildProcNumbers(label: Token, rest: readonly Item[]): DomstatsLine {
  // Kept as text: /proc/stat counters are jiffies since boot and `intr` sums can pass 2^53.
  return { kind: 'proc', label: label.text, numbers: flatTokens(rest).filter((t) => t.type === 'number').map((t) => t.text) };
}

export function buildLoadavg(t: Token): DomstatsLine {
  const parts = t.text.split(/[ \t]+/);
  const [running, total] = (parts[3] ?? '0/0').split('/');
  return { kind: 'loadavg', load1: Number(parts[0]), running: Number(running), total: Number(total) };
}

export function buildBlank(): DomstatsLine {
  return { kind: 'blank' };
}
