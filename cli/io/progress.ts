// Progress on long work (stderr only, never mixed into data): a redrawn bar on a TTY, a line every
// `intervalMs` otherwise, so CI logs and pipes get a heartbeat without a flood.

export interface Progress {
  advance(units: number): void;
  done(summary?: string): void;
}

export function createProgress(label: string, total: number, unit: 'bytes' | 'items', intervalMs = 10_000, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  const started = Date.now();
  let current = 0;
  let lastDraw = 0;
  const format = (n: number): string => (unit === 'bytes' ? formatBytes(n) : String(n));
  const draw = (force: boolean): void => {
    const now = Date.now();
    if (!force && now - lastDraw < (tty ? 100 : intervalMs)) return;
    lastDraw = now;
    const pct = total > 0 ? Math.min(100, Math.floor((current / total) * 100)) : 100;
    if (tty) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${format(current)}/${format(total)}`);
    } else {
      stream.write(`${label}: ${pct}% (${format(current)} of ${format(total)})\n`);
    }
  };
  return {
    advance(units: number): void {
      current += units;
      draw(false);
    },
    done(summary?: string): void {
      if (tty) stream.write('\r\x1b[K');
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      stream.write(`${label}: done in ${seconds}s${summary ? `, ${summary}` : ''}\n`);
    },
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
