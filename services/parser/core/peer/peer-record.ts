import type { EcsEvent } from '../../../../shared/schema/event.js';
import type { RawRecord } from '../../../../shared/raw-record.js';
import { HangwatchError } from '../../../../shared/errors.js';
import type { KafkaMessageLike } from '../raw-from-kafka.js';
import { parseBoundedJson } from '../windows/bounded-json.js';
import { filebeatLine } from './filebeat-line.js';
import type { GuestDirectory } from './guest-directory.js';
import { isObject } from './json-path.js';
import type { PeerKind } from './peer-kind.js';
import { rawRecordFromPeerLine } from './peer-line.js';
import { rsyslogLine } from './rsyslog-line.js';
import { vectorLine } from './vector-line.js';
import { winlogbeatRecord } from './winlogbeat-record.js';
import type { Format } from '../../../../shared/vocabulary.js';
import type { SenderPlacement, SenderScope } from './sender-scope.js';

// A peer shipper's Kafka message into the RawRecord our shipper would have sent for the same line, so the same
// format parsers normalize it (issue 14); and the few fields only a peer path sets on the events afterwards.

export interface PeerBinding {
  readonly kind: PeerKind;
  readonly format?: Format;
  /** Winlogbeat topics: what the topic's sender may speak for, when configured. */
  readonly sender?: SenderScope;
}

export interface PeerRecord {
  readonly record: RawRecord;
  readonly shipper: PeerKind;
  /** A Winlogbeat record whose guest is on no hypervisor we know yet. */
  readonly unresolved: boolean;
  /** A Winlogbeat record from a bound topic: its domain (when the topic speaks for one) and its conflicting claim. */
  readonly sender?: SenderPlacement;
}

export function rawRecordFromPeer(message: KafkaMessageLike, binding: PeerBinding, directory: GuestDirectory, maxRecordBytes: number): PeerRecord {
  const value = message.value;
  if (!value || value.length === 0) throw new HangwatchError('HW_RECORD_INVALID', [`${binding.kind} message without a value`]);
  // Checked before JSON.parse: the message is the document, and the record inside it is smaller still.
  if (value.length > maxRecordBytes) throw new HangwatchError('HW_RECORD_TOO_LARGE', [value.length, maxRecordBytes]);
  const text = value.toString('utf8');
  const doc = parseBoundedJson(text, binding.kind);
  if (!isObject(doc)) throw new HangwatchError('HW_RECORD_INVALID', [`a ${binding.kind} document is a JSON object`]);
  const fallbackMs = Number(message.timestamp);
  if (binding.kind === 'winlogbeat') {
    const { record, placement, sender } = winlogbeatRecord(doc, text, directory, fallbackMs, binding.sender);
    if (sender) return { record, shipper: 'winlogbeat', unresolved: false, sender };
    return { record, shipper: 'winlogbeat', unresolved: placement === undefined };
  }
  const line = binding.kind === 'filebeat' ? filebeatLine(doc, fallbackMs) : binding.kind === 'vector' ? vectorLine(doc, fallbackMs) : rsyslogLine(doc, fallbackMs);
  return { record: rawRecordFromPeerLine(line, binding.format), shipper: binding.kind, unresolved: false };
}

/**
 * Marks the events of a peer record: which peer; for a bound sender its domain (attribution `sender`) and the claim
 * that contradicted it; for an unplaced guest no hypervisor but `unresolved`.
 */
export function finishPeerEvents(events: EcsEvent[], peer: PeerRecord): void {
  for (const event of events) {
    const source = event.hangwatch.source ?? (event.hangwatch.source = {});
    source.shipper = peer.shipper;
    if (peer.sender) {
      bindToSender(event, peer.sender);
      continue;
    }
    if (!peer.unresolved) continue;
    if (event.libvirt) {
      // parse-record sets the record's host as hypervisor; here that host is the guest itself.
      delete event.libvirt.hypervisor;
      if (Object.keys(event.libvirt).length === 0) delete event.libvirt;
    }
    if (!event.libvirt?.domain?.name) event.hangwatch.attribution = 'unresolved';
  }
}

function bindToSender(event: EcsEvent, sender: SenderPlacement): void {
  if (sender.domain !== undefined) {
    const libvirt = event.libvirt ?? (event.libvirt = {});
    libvirt.domain = { ...libvirt.domain, name: sender.domain };
    event.hangwatch.attribution = 'sender';
    delete event.hangwatch.attribution_confidence;
  }
  if (sender.conflict) event.hangwatch.identity = { ...event.hangwatch.identity, conflict: sender.conflict };
}

/** The Kafka key of a normalized event: its hypervisor, else (an unplaced guest) its own host name. */
export function eventKey(event: EcsEvent, record: RawRecord): string {
  return event.libvirt?.hypervisor ?? event.host?.name ?? record.host;
}
