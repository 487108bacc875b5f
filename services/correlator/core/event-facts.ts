import type { EcsEvent } from '../../../shared/schema/event.js';
import type { EventAction } from '../../../shared/vocabulary.js';

// Small readers over the nested event, named by what they answer, so the correlation code reads as prose.

export const GUEST_DATASETS: ReadonlySet<string> = new Set(['windows.system', 'windows.winlogbeat', 'windows.windbg', 'windows.dump']);

export function isGuestRecord(event: EcsEvent): boolean {
  return GUEST_DATASETS.has(event.event.dataset);
}

export function timestampMs(event: EcsEvent): number {
  return Date.parse(event['@timestamp']);
}

export function domainOf(event: EcsEvent): string | undefined {
  const name = event.libvirt?.domain?.name;
  return name ? name : undefined;
}

export function computerNameOf(event: EcsEvent): string | undefined {
  const name = event.winlog?.computer_name ?? event.host?.name;
  return name ? name.toLowerCase() : undefined;
}

export function threadIdOf(event: EcsEvent): number | undefined {
  return event.process?.thread?.id;
}

/** A local time whose zone the parser did not know: `@timestamp` holds the wall clock (see local-time.ts). */
export function hasUnresolvedZone(event: EcsEvent): boolean {
  return event.hangwatch.time.basis === 'zone' && !event.hangwatch.time.zone;
}

/** Actions after which a guest is (re)starting: the reboot that 41 / 6008 / 1001 are logged at. */
export const BOOT_MARKERS: ReadonlySet<EventAction> = new Set(['system-boot', 'vm-config', 'vm-start']);

/** Records that are written at boot or by the host about the domain, so say nothing about the guest being alive. */
export const NOT_SIGNS_OF_LIFE: ReadonlySet<EventAction> = new Set([
  'system-boot',
  'kernel-power-41',
  'unexpected-shutdown',
  'vm-config',
  'vm-start',
  'daemon-start',
  'daemon-info',
  'cpu-feature-unsupported',
]);

/** The guest folder a collected artefact sits in: `.../guests/<domain-name>/...` (DESIGN.md section 7). */
export function guestFolderDomain(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const m = /(?:^|[/\\])guests[/\\]([^/\\]+)[/\\]/.exec(path);
  return m?.[1];
}
