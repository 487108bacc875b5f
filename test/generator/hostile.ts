import type { Rng } from './prng.js';
import { formatLibvirtTime } from './time-format.js';

// Malformed records mixed into an otherwise valid corpus (the fault suite): every one must reach the dead
// letter with its reason and original, and the records around it must still parse.

export type HostileKind = 'invalid-utf8' | 'nul-bytes' | 'oversized-line' | 'truncated-line' | 'bad-level' | 'crlf' | 'malformed-xml' | 'xml-entity';

export interface HostileRecord {
  t: number;
  kind: HostileKind;
  text: string | Buffer;
}

/** libvirtd.log lines that look like libvirtd lines but are broken in the ways real files break. */
export function buildHostileLibvirtdLines(startMs: number, durationMs: number, rng: Rng): HostileRecord[] {
  const at = (): number => startMs + Math.floor(rng.next() * durationMs);
  const stamp = (t: number): string => formatLibvirtTime(t);
  const out: HostileRecord[] = [];
  let t = at();
  out.push({ t, kind: 'invalid-utf8', text: Buffer.concat([Buffer.from(`${stamp(t)}: 4242: error : virFileReadAll:1360 : Failed to open file '/tmp/`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from("': No such file or directory")]) });
  t = at();
  out.push({ t, kind: 'nul-bytes', text: `${stamp(t)}: 4242: warning : virStorageBackendVolOpen:1535 : ignoring\u0000\u0000 permission error` });
  t = at();
  out.push({ t, kind: 'oversized-line', text: `${stamp(t)}: 4242: error : qemuMonitorIO:689 : internal error: ${'A'.repeat(70 * 1024)}` });
  t = at();
  out.push({ t, kind: 'truncated-line', text: stamp(t).slice(0, 15) });
  t = at();
  out.push({ t, kind: 'bad-level', text: `${stamp(t)}: 4242: panic : qemuMonitorIO:689 : internal error: End of file from monitor` });
  t = at();
  out.push({ t, kind: 'crlf', text: `${stamp(t)}: 4242: warning : virStorageBackendVolOpen:1535 : ignoring permission error for '/media/vmpool/win7_test.img'\r` });
  return out;
}

/** An <Event> cut off mid-record, as a partial copy of a live log leaves it. */
export const TRUNCATED_EVENT = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='EventLog'/><EventID Qualifiers='32768'>6008</EventID><Level>2</Lev";

/** A document with an entity expansion bomb: must be refused, never expanded. */
export const ENTITY_BOMB_XML = [
  "<?xml version='1.0'?>",
  "<!DOCTYPE Event [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]>",
  "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='EventLog'/><EventID Qualifiers='32768'>6008</EventID></System><EventData><Data>&d;</Data></EventData></Event>",
  '',
].join('\n');
