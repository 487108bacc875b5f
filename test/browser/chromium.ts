import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Headless Chromium driven by its own flags (--dump-dom, --screenshot, --print-to-pdf): no npm package, and the
// page under test has no script to talk to anyway. Debian's `chromium` is installed on first use when apt is
// there (we run as root in CI); otherwise the test fails saying what to install.

export const CHROMIUM = process.env.HANGWATCH_CHROMIUM ?? '/usr/bin/chromium';

const BASE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
  '--mute-audio',
];

export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' });
  if (apt.status !== 0) throw new Error(`${CHROMIUM} is missing and apt-get is not available: install Debian's 'chromium' package (or set HANGWATCH_CHROMIUM)`);
  process.stderr.write('browser test: installing chromium with apt-get (once)\n');
  const install = spawnSync('apt-get', ['install', '-y', 'chromium'], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install.status !== 0 || !existsSync(CHROMIUM)) throw new Error(`apt-get install -y chromium failed (exit ${install.status}); install it by hand (needs root)`);
}

/** Runs Chromium once on a URL with a fresh profile; returns stdout (the DOM for --dump-dom). */
export function runChromium(url: string, flags: readonly string[]): string {
  const profile = mkdtempSync(join(tmpdir(), 'hw-chromium-'));
  try {
    const run = spawnSync(CHROMIUM, [...BASE_FLAGS, `--user-data-dir=${profile}`, ...flags, url], { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 });
    if (run.error) throw run.error;
    if (run.status !== 0) throw new Error(`chromium exited ${run.status}: ${run.stderr.slice(-2000)}`);
    return run.stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  if (bytes.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
