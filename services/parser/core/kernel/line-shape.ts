import type { Token } from 'moo';

// Post-processors of grammars/kernel.ne: plain objects describing a kernel log line's structure. Times are
// resolved later (kernel-time.ts) because they need the source's context (zone, file mtime, boot time).

export interface SyslogLine {
  readonly kind: 'syslog';
  /** "Mar 15 13:05:01[.123456] " or "2017-03-15T13:05:01[.123456]+08:00 " */
  readonly stamp: string;
  readonly iso: boolean;
  readonly host: string;
  /** `kernel` for kernel lines, the program name otherwise; absent when the line has no tag. */
  readonly program?: string;
  readonly pid?: number;
  readonly uptimeMs?: number;
  readonly message: string;
}

export interface DmesgLine {
  readonly kind: 'dmesg';
  readonly uptimeMs?: number;
  /** "[Wed Mar 15 13:05:01 2017] " of dmesg -T */
  readonly wallClock?: string;
  readonly message: string;
}

export interface MarkerLine {
  readonly kind: 'marker';
  readonly text: string;
}

export type KernelLine = SyslogLine | DmesgLine | MarkerLine;

interface Tag {
  readonly program?: string;
  readonly pid?: number;
  readonly uptimeMs?: number;
  readonly message: string;
}

/** "[  123.456789] " -> 123456.789 (ms); integer arithmetic, no float parse of the whole stamp. */
export function uptimeTokenMs(token: string): number {
  const inner = token.slice(token.indexOf('[') + 1, token.indexOf(']')).trim();
  const dot = inner.indexOf('.');
  const whole = Number(inner.slice(0, dot));
  const frac = inner.slice(dot + 1).padEnd(6, '0').slice(0, 6);
  return whole * 1000 + Number(frac) / 1000;
}

export function buildSyslogLine(stamp: Token, host: Token, tag: Tag): SyslogLine {
  return { kind: 'syslog', stamp: stamp.text, iso: stamp.type === 'isoStamp', host: host.text.slice(0, -1), ...tag };
}

export function buildKernelTag(uptime: Token | null, text: Token | null): Tag {
  return { program: 'kernel', ...(uptime ? { uptimeMs: uptimeTokenMs(uptime.text) } : {}), message: text?.text ?? '' };
}

export function buildProgramTag(tag: Token, text: Token | null): Tag {
  // "libvirtd[1234]: " / "systemd: "
  const raw = tag.text.replace(/: ?$/, '');
  const open = raw.indexOf('[');
  if (open === -1) return { program: raw, message: text?.text ?? '' };
  return { program: raw.slice(0, open), pid: Number(raw.slice(open + 1, -1)), message: text?.text ?? '' };
}

export function buildUntagged(text: Token | null): Tag {
  return { message: text?.text ?? '' };
}

export function buildDmesgLine(stamp: Token, text: Token | null): DmesgLine {
  const message = text?.text ?? '';
  if (stamp.type === 'wallClock') return { kind: 'dmesg', wallClock: stamp.text, message };
  return { kind: 'dmesg', uptimeMs: uptimeTokenMs(stamp.text), message };
}

export function buildMarkerLine(marker: Token): MarkerLine {
  return { kind: 'marker', text: marker.text };
}
