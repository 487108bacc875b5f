import { createHash } from 'node:crypto';
import type { DeadLetter } from './schema/deadletter.js';
import type { Stage } from './vocabulary.js';
import { codeOf } from './errors.js';

// DESIGN.md section 9: a dead letter keeps at most 64 KiB of the original (base64 when it is not valid UTF-8)
// with its full length and SHA-256, and `truncated: true` when cut.

export const DEADLETTER_MAX_ORIGINAL_BYTES = 64 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface DeadLetterSource {
  readonly hostName?: string;
  readonly path?: string;
  readonly offset?: number;
  readonly kafka?: { topic: string; partition: number; offset: string };
}

export interface DeadLetterInput {
  readonly stage: Stage;
  readonly error: unknown;
  readonly original: Uint8Array | string;
  /** When `original` is only the first part of a larger record: the full record's length and SHA-256. */
  readonly originalWhole?: { readonly length: number; readonly sha256: string };
  readonly source?: DeadLetterSource;
  readonly expected?: readonly string[];
  readonly grammar?: string;
  readonly eventId?: string;
  readonly dataset?: string;
  /** Time of the failure (passed in: cores do not read the clock). */
  readonly at: string;
}

export function buildDeadLetter(input: DeadLetterInput): DeadLetter {
  const bytes = typeof input.original === 'string' ? Buffer.from(input.original, 'utf8') : Buffer.from(input.original);
  const truncated = bytes.length > DEADLETTER_MAX_ORIGINAL_BYTES || input.originalWhole !== undefined;
  const kept = bytes.length > DEADLETTER_MAX_ORIGINAL_BYTES ? bytes.subarray(0, DEADLETTER_MAX_ORIGINAL_BYTES) : bytes;
  let encoding: 'utf8' | 'base64' = 'utf8';
  let text: string;
  try {
    text = strictUtf8.decode(kept);
    // A cut may split a multi-byte character at the end; that alone is not "invalid UTF-8".
  } catch {
    const trimmed = truncated ? trimPartialUtf8(kept) : null;
    if (trimmed) {
      text = trimmed;
    } else {
      encoding = 'base64';
      text = kept.toString('base64');
    }
  }
  if (encoding === 'utf8' && text.includes('\u0000')) {
    encoding = 'base64';
    text = kept.toString('base64');
  }
  const message = input.error instanceof Error ? input.error.message : String(input.error);
  const letter: DeadLetter = {
    '@timestamp': input.at,
    error: { code: codeOf(input.error), message: message.slice(0, 2000) },
    hangwatch: {
      stage: input.stage,
      original: {
        encoding,
        length: input.originalWhole?.length ?? bytes.length,
        sha256: input.originalWhole?.sha256 ?? createHash('sha256').update(bytes).digest('hex'),
        truncated,
      },
    },
    event: { original: text },
  };
  if (input.expected && input.expected.length > 0) letter.hangwatch.expected = [...input.expected];
  if (input.grammar) letter.hangwatch.grammar = input.grammar;
  if (input.eventId) letter.event.id = input.eventId;
  if (input.dataset) letter.event.dataset = input.dataset;
  const src = input.source;
  if (src?.hostName) letter.host = { name: src.hostName };
  if (src?.path !== undefined || src?.offset !== undefined) {
    letter.log = {};
    if (src.path !== undefined) letter.log.file = { path: src.path };
    if (src.offset !== undefined) letter.log.offset = src.offset;
  }
  if (src?.kafka) letter.kafka = { ...src.kafka };
  return letter;
}

function trimPartialUtf8(bytes: Buffer): string | null {
  for (let cut = 1; cut <= 3 && cut < bytes.length; cut++) {
    try {
      return strictUtf8.decode(bytes.subarray(0, bytes.length - cut));
    } catch {
      // try one byte shorter
    }
  }
  return null;
}
