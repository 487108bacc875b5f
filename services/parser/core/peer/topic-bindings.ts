import { HangwatchError } from '../../../../shared/errors.js';
import { FORMATS, type Format } from '../../../../shared/vocabulary.js';
import { PEER_KINDS, type PeerKind, type TopicBinding } from './peer-kind.js';
import { parseSenderScope, type SenderScope } from './sender-scope.js';

// Which input topic carries what: our shipper's raw records, or one peer shipper's documents, with an optional
// format per topic (`HANGWATCH_PARSER_TOPIC_FORMATS="qemu-logs=qemu,..."`) for topics whose paths do not tell
// the format. Every problem is reported at once, at start (config guards with advice, as kafkajs does).

export interface TopicLists {
  readonly hangwatch: readonly string[];
  readonly peers: Readonly<Record<PeerKind, readonly string[]>>;
  /** `topic=format` entries. */
  readonly formats: readonly string[];
  /** `topic=hypervisor` or `topic=hypervisor/domain` entries: what a Winlogbeat topic's sender may speak for. */
  readonly senders?: readonly string[];
}

const FILE_PEERS: ReadonlySet<PeerKind> = new Set(['filebeat', 'vector', 'rsyslog']);

export function buildTopicBindings(lists: TopicLists): Map<string, TopicBinding> {
  const problems: string[] = [];
  const kinds = new Map<string, 'hangwatch' | PeerKind>();
  const claim = (topic: string, kind: 'hangwatch' | PeerKind): void => {
    const before = kinds.get(topic);
    if (before !== undefined && before !== kind) problems.push(`topic ${topic} is listed for both ${before} and ${kind}: a topic carries one shipper's records`);
    else kinds.set(topic, kind);
  };
  for (const topic of lists.hangwatch) claim(topic, 'hangwatch');
  for (const kind of PEER_KINDS) for (const topic of lists.peers[kind]) claim(topic, kind);

  const formats = new Map<string, Format>();
  for (const entry of lists.formats) {
    const eq = entry.indexOf('=');
    const topic = entry.slice(0, eq).trim();
    const format = entry.slice(eq + 1).trim();
    if (eq <= 0 || format === '') {
      problems.push(`format override "${entry}" is not topic=format`);
      continue;
    }
    if (!(FORMATS as readonly string[]).includes(format)) {
      problems.push(`format override ${entry}: unknown format ${format} (known: ${FORMATS.join(', ')})`);
      continue;
    }
    const kind = kinds.get(topic);
    if (kind === undefined) problems.push(`format override ${entry}: topic ${topic} is not an input topic`);
    else if (kind === 'hangwatch') problems.push(`format override ${entry}: ${topic} carries our shipper's records, whose hw-format header says the format`);
    else if (!FILE_PEERS.has(kind)) problems.push(`format override ${entry}: ${kind} topics are always winlogbeat documents`);
    else formats.set(topic, format as Format);
  }
  const senders = new Map<string, SenderScope>();
  for (const entry of lists.senders ?? []) {
    const eq = entry.indexOf('=');
    const topic = entry.slice(0, eq).trim();
    const scope = eq > 0 ? parseSenderScope(entry.slice(eq + 1)) : undefined;
    if (!scope) problems.push(`sender binding "${entry}" is not topic=hypervisor or topic=hypervisor/domain`);
    else if (kinds.get(topic) !== 'winlogbeat') problems.push(`sender binding ${entry}: ${topic} is not one of the Winlogbeat topics (HANGWATCH_PARSER_WINLOGBEAT_TOPICS)`);
    else if (senders.has(topic)) problems.push(`sender binding ${entry}: ${topic} is bound twice; give each sender its own topic`);
    else senders.set(topic, scope);
  }
  if (problems.length > 0) throw new HangwatchError('HW_CONFIG_INVALID', [problems.map((p) => `  ${p}`).join('\n')]);

  const out = new Map<string, TopicBinding>();
  for (const [topic, kind] of kinds) {
    const format = formats.get(topic);
    const sender = senders.get(topic);
    out.set(topic, kind === 'hangwatch' ? { kind } : { kind, ...(format ? { format } : {}), ...(sender ? { sender } : {}) });
  }
  return out;
}
