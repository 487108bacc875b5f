// Typed post-processor of grammars/libvirtd.ne: tokens in, a plain line model out (no logic in the .ne).

interface Token {
  readonly value: string;
}

export interface LibvirtdLine {
  /** `2017-03-15 06:03:48.180+0000: ` (explicit offset) or `09:53:04.233: ` (old, no date). */
  readonly stamp?: string;
  readonly thread?: number;
  readonly level?: string;
  readonly fn?: string;
  readonly fnLine?: number;
  readonly message: string;
}

/** What the grammar places: the tokens of each part (see grammars/libvirtd.ne). */
export interface LineTokens {
  readonly stamp?: Token;
  readonly thread?: Token | null;
  readonly level?: Token;
  readonly origin?: Token;
  readonly message?: Token | null;
}

export function buildLibvirtdLine(parts: LineTokens): LibvirtdLine {
  const line: {
    -readonly [K in keyof LibvirtdLine]: LibvirtdLine[K];
  } = { message: parts.message ? parts.message.value : '' };
  if (parts.stamp) line.stamp = parts.stamp.value;
  if (parts.thread) line.thread = Number.parseInt(parts.thread.value, 10);
  if (parts.level) line.level = parts.level.value.slice(0, parts.level.value.indexOf(' '));
  if (parts.origin) {
    const v = parts.origin.value;
    const colon = v.lastIndexOf(':', v.length - 4);
    line.fn = v.slice(0, colon);
    line.fnLine = Number.parseInt(v.slice(colon + 1), 10);
  }
  return line;
}
