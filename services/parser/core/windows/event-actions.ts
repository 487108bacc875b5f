import type { EventAction } from '../../../../shared/vocabulary.js';
import type { EcsEvent } from '../../../../shared/schema/event.js';

// Windows event id -> event.action (DESIGN.md section 4 vocabulary). Ids are only meaningful together with
// their provider: 41, 1001 and 1074 are checked against it (1001 is also Windows Error Reporting's app-crash id in
// the Application log); User32's 1074 is a restart or power-off someone asked for ("The process X has initiated
// the restart of computer Y on behalf of user Z for the following reason: ..."), so the reboot that follows is no
// hang; the EventLog service ids (6005/6006/6008/6009/6013), the Service Control Manager ids
// (7031/7034) and the storage port-driver ids (129/153, written by storahci, iaStorV, vioscsi, viostor, ...)
// are taken by id alone since many providers share them. Except that 129/153 are port- and class-driver ids only:
// Windows' own manifest providers reuse the numbers (Microsoft-Windows-Kernel-Boot 153 at every boot of a real
// System.evtx), and a disk reset read from those would feed a false storage-hang diagnosis.

type Category = NonNullable<EcsEvent['event']['category']>[number];
type Type = NonNullable<EcsEvent['event']['type']>[number];

export interface WindowsEventClass {
  readonly action: EventAction;
  readonly category: readonly Category[];
  readonly type: readonly Type[];
}

interface Rule extends WindowsEventClass {
  readonly providers?: readonly string[];
  /** Provider-name prefixes that reuse the id for something else. */
  readonly notProviderPrefixes?: readonly string[];
}

const MANIFEST_PROVIDERS = ['microsoft-windows-'];

const KERNEL_POWER = ['microsoft-windows-kernel-power'];
const WER_BUGCHECK = ['microsoft-windows-wer-systemerrorreporting', 'bugcheck', 'save dump'];
/** `User32` in the manifest and event XML, `USER32` as the legacy source name (Winlogbeat 6.x source_name). */
const USER32 = ['user32'];

const RULES: Readonly<Record<string, Rule>> = {
  '41': { action: 'kernel-power-41', category: ['host'], type: ['error'], providers: KERNEL_POWER },
  '1001': { action: 'bugcheck', category: ['host'], type: ['error'], providers: WER_BUGCHECK },
  '1074': { action: 'planned-restart', category: ['host'], type: ['end'], providers: USER32 },
  '6008': { action: 'unexpected-shutdown', category: ['host'], type: ['error'] },
  '6005': { action: 'system-boot', category: ['host'], type: ['start'] },
  '6009': { action: 'system-boot', category: ['host'], type: ['start'] },
  '6006': { action: 'system-shutdown', category: ['host'], type: ['end'] },
  '7031': { action: 'service-crash', category: ['process'], type: ['error'] },
  '7034': { action: 'service-crash', category: ['process'], type: ['error'] },
  '129': { action: 'disk-reset', category: ['driver'], type: ['error'], notProviderPrefixes: MANIFEST_PROVIDERS },
  '153': { action: 'disk-reset', category: ['driver'], type: ['error'], notProviderPrefixes: MANIFEST_PROVIDERS },
};

const OTHER: WindowsEventClass = { action: 'other', category: ['host'], type: ['info'] };

/** Classifies by event id and provider (or legacy source name); anything unknown is `other`. */
export function classifyWindowsEvent(eventId: string, providers: ReadonlyArray<string | undefined>): WindowsEventClass {
  const rule = RULES[eventId];
  if (!rule) return OTHER;
  if (rule.providers && !providers.some((p) => p !== undefined && rule.providers?.includes(p.toLowerCase()))) return OTHER;
  const excluded = rule.notProviderPrefixes;
  if (excluded && providers.some((p) => p !== undefined && excluded.some((prefix) => p.toLowerCase().startsWith(prefix)))) return OTHER;
  return rule;
}
