import type { Format } from '../../../../shared/vocabulary.js';
import type { SenderScope } from './sender-scope.js';

// The shippers whose Kafka output the parser reads besides our own (issues 13 and 14), each on its own topics.

export const PEER_KINDS = ['filebeat', 'vector', 'rsyslog', 'winlogbeat'] as const;
export type PeerKind = (typeof PEER_KINDS)[number];

/**
 * How one input topic is read: our shipper's raw records (headers), or a peer's JSON documents; for a Winlogbeat
 * topic, optionally what its sender may speak for (sender-scope.ts).
 */
export type TopicBinding = { readonly kind: 'hangwatch' } | { readonly kind: PeerKind; readonly format?: Format; readonly sender?: SenderScope };
