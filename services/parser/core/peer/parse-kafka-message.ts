import type { DeadLetter } from '../../../../shared/schema/deadletter.js';
import type { EcsEvent } from '../../../../shared/schema/event.js';
import { buildDeadLetter } from '../../../../shared/deadletter.js';
import type { ParseOptions } from '../event-draft.js';
import { parseRecord, type FormatRegistry, type SourceStates } from '../parse-record.js';
import { rawRecordFromKafka, type KafkaMessageLike } from '../raw-from-kafka.js';
import type { GuestDirectory } from './guest-directory.js';
import type { TopicBinding } from './peer-kind.js';
import { eventKey, finishPeerEvents, rawRecordFromPeer } from './peer-record.js';

// One consumed Kafka message, whatever its topic carries, into keyed events and dead letters: the parser
// service's per-message logic, pure (the adapter only moves bytes). Qemu command lines teach the guest
// directory which hypervisor runs which MAC, for Winlogbeat records that arrive without a host.

export interface Keyed<T> {
  readonly key: string | null;
  readonly value: T;
}

export interface MessageOutcome {
  readonly events: Keyed<EcsEvent>[];
  readonly deadletters: Keyed<DeadLetter>[];
}

export interface MessageContext {
  readonly registry: FormatRegistry;
  readonly states: SourceStates;
  readonly options: ParseOptions;
  readonly directory: GuestDirectory;
  /** Time of any failure (cores do not read the clock). */
  readonly at: string;
}

export function parseKafkaMessage(message: KafkaMessageLike, binding: TopicBinding, ctx: MessageContext): MessageOutcome {
  try {
    const peer = binding.kind === 'hangwatch' ? undefined : rawRecordFromPeer(message, binding, ctx.directory, ctx.options.maxRecordBytes);
    const record = peer?.record ?? rawRecordFromKafka(message);
    const outcome = parseRecord(record, ctx.registry, ctx.states, ctx.options);
    if (peer) finishPeerEvents(outcome.events, peer);
    for (const event of outcome.events) ctx.directory.learnEvent(event);
    return {
      events: outcome.events.map((event) => ({ key: eventKey(event, record), value: event })),
      deadletters: outcome.deadletters.map((letter) => ({ key: record.host, value: letter })),
    };
  } catch (error) {
    const letter = buildDeadLetter({
      stage: 'parse',
      error,
      original: message.value ?? Buffer.alloc(0),
      source: { kafka: { topic: message.topic, partition: message.partition, offset: message.offset } },
      at: ctx.at,
    });
    return { events: [], deadletters: [{ key: message.key?.toString() ?? null, value: letter }] };
  }
}
