import { HangwatchError } from '../../../../shared/errors.js';
import type { RawRecord } from '../../../../shared/raw-record.js';
import { isObject, readText, type Json } from './json-path.js';
import type { GuestDirectory, GuestPlacement } from './guest-directory.js';
import { digestOf } from './peer-line.js';
import { peerTimeIso, peerTimeMs } from './peer-time.js';
import { placeBySender, type SenderPlacement, type SenderScope } from './sender-scope.js';

// A Winlogbeat document that Winlogbeat wrote to Kafka itself (issue 13): no hangwatch headers, the guest is
// the sender. The winlogbeat format parser normalizes it (event.id = computer + channel + record id, so a
// re-send is one event); here we decide its key: the hypervisor running the guest when the MAC is known
// (GuestDirectory), else the guest's own host.name, and then the event says `attribution: unresolved` and
// carries no libvirt.hypervisor (finishPeerEvents). event.created is Winlogbeat's own read time. Winlogbeat 6 and
// earlier put the same facts at the top level (computer_name, log_name, record_number, beat.hostname).

export interface WinlogbeatPeerRecord {
  readonly record: RawRecord;
  readonly placement?: GuestPlacement;
  /** From a topic bound to what its sender may speak for (sender-scope.ts): where the record goes instead. */
  readonly sender?: SenderPlacement;
}

function readMacs(doc: Json): string[] {
  const host = doc.host;
  if (!isObject(host)) return [];
  const mac = host.mac;
  const list = Array.isArray(mac) ? mac : mac === undefined ? [] : [mac];
  return list.filter((m): m is string => typeof m === 'string');
}

export function winlogbeatRecord(doc: Json, text: string, directory: GuestDirectory, fallbackMs: number, scope?: SenderScope): WinlogbeatPeerRecord {
  const computer = readText(doc, 'winlog.computer_name', 'computer_name', 'host.name', 'agent.hostname', 'beat.hostname');
  if (computer === undefined) throw new HangwatchError('HW_RECORD_INVALID', ['Winlogbeat document: no winlog.computer_name or host.name']);
  const channel = readText(doc, 'winlog.channel', 'log_name') ?? 'unknown';
  const tsMs = peerTimeMs(readText(doc, '@timestamp')) ?? fallbackMs;
  const placement = directory.place(readMacs(doc), tsMs);
  const sender = scope ? placeBySender(scope, readMacs(doc), tsMs, directory) : undefined;
  const recordId = readText(doc, 'winlog.record_id', 'record_number');
  const record: RawRecord = {
    bytes: Buffer.from(text, 'utf8'),
    host: sender?.hypervisor ?? placement?.hypervisor ?? readText(doc, 'host.name', 'beat.hostname') ?? computer,
    path: `winlogbeat/${channel}`,
    format: 'winlogbeat',
    fingerprint: `winlogbeat:${computer.toLowerCase()}`,
    offset: 0,
    created: peerTimeIso(readText(doc, 'event.created'), fallbackMs),
    // Only used when the document lacks computer, channel or record id (the format parser then has no id).
    sourceId: recordId !== undefined ? `${channel}#${recordId}` : digestOf([text]),
  };
  if (sender) return { record, sender };
  return placement ? { record, placement } : { record };
}
