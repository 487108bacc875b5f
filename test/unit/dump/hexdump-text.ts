// Turns a published hex listing back into bytes: `hexdump -C` (`00000010  00 41 ...  |.A..|`, a `*` line for
// repeats of the line before) and `xxd` (`0000010: 0041 ...  .A..`). Each line's ASCII column is checked against
// its bytes, so a slip in copying a listing fails here instead of turning into a wrong fixture.

function printable(bytes: readonly number[]): string {
  return bytes.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
}

interface Line {
  readonly offset: number;
  readonly bytes: number[];
  readonly ascii: string;
}

function parseLine(line: string): Line {
  const canonical = /^([0-9a-f]{8})((?: {1,2}[0-9a-f]{2})+) +\|(.*)\|$/i.exec(line);
  if (canonical) {
    const bytes = (canonical[2] as string).trim().split(/ +/).map((h) => parseInt(h, 16));
    return { offset: parseInt(canonical[1] as string, 16), bytes, ascii: canonical[3] as string };
  }
  const xxd = /^([0-9a-f]{7,8}): ((?:[0-9a-f]{2,4} ?)+?) {2}(.*)$/i.exec(line);
  if (xxd) {
    const hex = (xxd[2] as string).replace(/ /g, '');
    const bytes: number[] = [];
    for (let i = 0; i < hex.length; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
    return { offset: parseInt(xxd[1] as string, 16), bytes, ascii: xxd[3] as string };
  }
  throw new Error(`not a hexdump -C or xxd line: ${JSON.stringify(line)}`);
}

export function bytesFromHexListing(text: string): Uint8Array {
  const out: number[] = [];
  let previous: number[] | undefined;
  let repeating = false;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line === '') continue;
    if (line === '*') {
      if (!previous) throw new Error('a * line before any data line');
      repeating = true;
      continue;
    }
    const { offset, bytes, ascii } = parseLine(line);
    if (ascii !== printable(bytes)) throw new Error(`line ${offset.toString(16)}: ASCII column ${JSON.stringify(ascii)} does not match its bytes (${JSON.stringify(printable(bytes))})`);
    if (repeating && previous) {
      while (out.length < offset) out.push(...previous);
      repeating = false;
    }
    if (out.length !== offset) throw new Error(`line ${offset.toString(16)} follows ${out.length.toString(16)} bytes (hex)`);
    out.push(...bytes);
    previous = bytes;
  }
  if (repeating) throw new Error('a listing that ends with *: its length is unknown');
  return Uint8Array.from(out);
}
