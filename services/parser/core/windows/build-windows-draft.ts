import type { Dataset, TimeBasis } from '../../../../shared/vocabulary.js';
import type { EcsEvent } from '../../../../shared/schema/event.js';
import { HangwatchError } from '../../../../shared/errors.js';
import { windowsEventId } from '../../../../shared/identity.js';
import { isoUtc } from '../../../../shared/time.js';
import type { EventDraft } from '../event-draft.js';
import { buildBugcheck } from '../bugcheck.js';
import { ParseFailure } from '../parse-failure.js';
import { classifyWindowsEvent } from './event-actions.js';
import { decodeShutdownBinary, formatLocalDateTime, parseShutdownText } from './shutdown-time.js';
import { preciseUtcText } from './system-time.js';
import { parseWerBugcheck } from './wer-bugcheck.js';
import type { WindowsRecord } from './windows-record.js';

// The Windows rules shared by the event XML and Winlogbeat paths, so one record arriving both ways becomes
// one event (same event.id, same fields): action by id + provider, Kernel-Power 41 and WER 1001 bugchecks
// through buildBugcheck, 6008's locale-formatted shutdown time.

export interface WindowsDraftInput {
  readonly dataset: Extract<Dataset, 'windows.system' | 'windows.winlogbeat'>;
  readonly timestampMs: number;
  readonly basis: TimeBasis;
  readonly grammar: string;
  readonly hostMac?: readonly string[];
}

type WindowsFields = NonNullable<EcsEvent['windows']>;

interface Enrichment {
  windows?: WindowsFields;
  flags: string[];
}

/** Kernel-Power 41: decimal BugcheckCode (257 = 0x101) and hex BugcheckParameter1..4; code 0 = no bugcheck. */
function enrichKernelPower(record: WindowsRecord): Enrichment {
  const data = record.eventData;
  const code = data.BugcheckCode;
  if (code === undefined) return { flags: [] };
  const params = [data.BugcheckParameter1, data.BugcheckParameter2, data.BugcheckParameter3, data.BugcheckParameter4];
  const bugcheck = buildBugcheck(code, params.every((p): p is string => p !== undefined) ? params : [], 10);
  return bugcheck ? { windows: { bugcheck }, flags: [] } : { flags: [] };
}

/**
 * WER 1001 (BugCheck): `param1` holds `0x00000101 (0x..., ...)` or the whole localized sentence; the message
 * is the fallback. An unreadable text keeps the event (it still says "bugcheck") and flags it, rather than
 * losing the crash signal to the dead-letter topic.
 */
function enrichWerBugcheck(record: WindowsRecord): Enrichment {
  for (const text of [record.eventData.param1, record.message]) {
    if (!text) continue;
    try {
      const bugcheck = parseWerBugcheck(text);
      if (bugcheck) return { windows: { bugcheck }, flags: [] };
    } catch (error) {
      if (!(error instanceof ParseFailure)) throw error;
    }
  }
  return { flags: ['bugcheck-unparsed'] };
}

/** EventLog 6008: the lost shutdown's local time; <Binary> SYSTEMTIMEs win over the locale text. */
function enrichUnexpectedShutdown(record: WindowsRecord): Enrichment {
  const data = record.eventData;
  const shutdown: NonNullable<WindowsFields['shutdown']> = {};
  if (data.param1 !== undefined) shutdown.local_time = data.param1;
  if (data.param2 !== undefined) shutdown.local_date = data.param2;
  const flags: string[] = [];
  const binary = decodeShutdownBinary(data.Binary);
  if (binary) {
    shutdown.local_datetime = formatLocalDateTime(binary.local);
    shutdown.time_utc = isoUtc(binary.utcMs);
    shutdown.offset_minutes = binary.offsetMinutes;
  } else {
    try {
      shutdown.local_datetime = formatLocalDateTime(parseShutdownText(data.param1 || undefined, data.param2 || undefined, record.message));
    } catch (error) {
      if (!(error instanceof HangwatchError)) throw error;
      flags.push('shutdown-time-unparsed');
    }
  }
  return { windows: { shutdown }, flags };
}

function enrich(action: string, record: WindowsRecord): Enrichment {
  if (action === 'kernel-power-41') return enrichKernelPower(record);
  if (action === 'bugcheck') return enrichWerBugcheck(record);
  if (action === 'unexpected-shutdown') return enrichUnexpectedShutdown(record);
  return { flags: [] };
}

/**
 * User32 1074 without its rendered text: the same facts from its data, which Windows writes in this order on
 * every version (param1 process, param2 computer, param3 reason title, param4 reason code, param5 shutdown type,
 * param6 comment, param7 user); the values stay in winlog.event_data as given (the type is localized text).
 */
function plannedRestartMessage(data: Readonly<Record<string, string>>): string {
  const what = data.param5 || 'restart or power off';
  const by = data.param1 ? ` by ${data.param1}` : '';
  const user = data.param7 ? ` on behalf of ${data.param7}` : '';
  const reason = data.param3 ? `: ${data.param3}${data.param4 ? ` (${data.param4})` : ''}` : '';
  const comment = data.param6 ? `; comment: ${data.param6}` : '';
  return `planned ${what} of ${data.param2 || 'the computer'}${by}${user}${reason}${comment}`;
}

function buildMessage(record: WindowsRecord, action: string, windows: WindowsFields | undefined): string {
  if (record.message) return record.message;
  if (action === 'planned-restart') return plannedRestartMessage(record.eventData);
  const bugcheck = windows?.bugcheck;
  const provider = record.providerName ?? record.eventSourceName ?? 'unknown provider';
  const base = `${record.channel ?? 'unknown channel'} event ${record.eventId} from ${provider}`;
  return bugcheck ? `${base}: bugcheck ${bugcheck.code}${bugcheck.name ? ` ${bugcheck.name}` : ''}` : base;
}

export function buildWindowsDraft(record: WindowsRecord, input: WindowsDraftInput): EventDraft {
  const kind = classifyWindowsEvent(record.eventId, [record.providerName, record.eventSourceName]);
  const { windows, flags } = enrich(kind.action, record);
  const winlog: NonNullable<EcsEvent['winlog']> = { event_id: record.eventId, event_data: { ...record.eventData } };
  if (record.channel !== undefined) winlog.channel = record.channel;
  if (record.providerName !== undefined) winlog.provider_name = record.providerName;
  if (record.recordId !== undefined) winlog.record_id = record.recordId;
  if (record.computerName !== undefined) winlog.computer_name = record.computerName;
  const timeCreated = record.timeCreated === undefined ? undefined : preciseUtcText(record.timeCreated);
  if (timeCreated !== undefined) winlog.time_created = timeCreated;
  const event: EventDraft['event'] = {
    dataset: input.dataset,
    kind: 'event',
    category: [...kind.category],
    type: [...kind.type],
    action: kind.action,
    code: record.eventId,
  };
  // DESIGN.md section 7: a Windows record's identity is computer + channel + record id, whatever the path.
  if (record.computerName && record.channel && record.recordId) event.id = windowsEventId(record.computerName, record.channel, record.recordId);
  const draft: EventDraft = {
    '@timestamp': isoUtc(input.timestampMs),
    event,
    message: buildMessage(record, kind.action, windows),
    winlog,
    hangwatch: { time: { basis: input.basis }, parse: { grammar: input.grammar, ...(flags.length > 0 ? { flags } : {}) } },
  };
  if (record.level) draft.log = { level: record.level };
  const host: NonNullable<EcsEvent['host']> = {};
  if (record.computerName) host.name = record.computerName;
  if (input.hostMac && input.hostMac.length > 0) host.mac = [...input.hostMac];
  if (Object.keys(host).length > 0) draft.host = host;
  if (windows) draft.windows = windows;
  return draft;
}
