import type { EcsEvent } from '../../../shared/schema/event.js';

// Log content an attacker controls (a guest's event message, a VM name in a libvirtd line) shaped to run in a
// browser or a spreadsheet. Each test also checks the payload is still shown, just inert.

export const HOSTILE_MESSAGES = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  "=cmd|' /C calc'!A0",
  '<script>document.title="pwned";window.__pwned=1</script>',
  '<img src=x onerror="document.title=\'pwned-img\';window.__pwned=2">',
  '</td></tr></table><svg onload=alert(1)>',
  '"><a href="javascript:alert(1)">x</a> | pipe | and\nnewline\r\nand `code` *bold* [link](http://x)',
  '+SUM(1,2)',
  '-2+3',
  '@SUM(A1)',
  '\tTAB',
  // Terminal and reader instructions from a guest: ESC colour + clear screen, a C1 CSI (U+009B), a right-to-left
  // override (U+202E) and an isolate (U+2066) that would reorder what a reader sees.
  'PROCESS_NAME: \u001b[31m\u001b[2Jevil.exe \u009b6n \u202egnp.exe \u2066x\u2069',
] as const;

export function buildHostileEvents(baseMs: number): EcsEvent[] {
  return HOSTILE_MESSAGES.map((message, i) => ({
    '@timestamp': new Date(baseMs + i * 1000).toISOString(),
    event: { id: `hostile-${i}`, dataset: i % 2 === 0 ? 'windows.system' : 'libvirt.daemon', kind: 'event', action: 'other' },
    host: { name: i % 2 === 0 ? 'VM113-PC' : 'sc7' },
    libvirt: { hypervisor: 'sc7', ...(i % 2 === 0 ? { domain: { name: 'vm113' } } : {}) },
    message,
    hangwatch: { time: { basis: 'explicit' }, parse: { grammar: 'test' } },
  }));
}
