import type { EcsEvent } from '../../../shared/schema/event.js';

// libvirt's job lock names the thread that holds a domain's job when another API call bumps into it
// (qemu_domain.c, qemuDomainObjBeginJobInternal):
//   Cannot start job (query, none) for domain vm103; current job is (async nested, migration out)
//   owned by (15723 remoteDispatchDomainMigratePerform3Params, 15723 remoteDispatchDomainMigratePerform3Params)
//   for (0s, 22s)
// (libvirt >= 3.x adds ` (flags=0x..)` after the async owner's API; before 1.3 there is no `for (..)` part.)
// The owner thread's own lines about that job name no domain: `qemuMigrationCheckJobStatus: operation failed:
// migration job: unexpectedly failed`. So this line says which domain those lines concern (attribution `job`).

export interface JobOwner {
  readonly thread: number;
  readonly domain: string;
  /** When the owner's job began (the line's time minus the duration it reports), else the line's time. */
  readonly sinceMs: number;
}

const BUSY_JOB = /Cannot start job \([^)]*\) for domain ([^;\s]+); current job is \(([^,)]*), ([^)]*)\) owned by \((\d+) [^,]*, (\d+) /;
const DURATIONS = /\) for \((\d+)s, (\d+)s\)\s*$/;

/** The thread holding the domain's (async, else sync) job, from a libvirtd "Cannot start job" line. */
export function readJobOwner(event: EcsEvent, tsMs: number): JobOwner | undefined {
  if (event.event.dataset !== 'libvirt.daemon' || !event.message?.includes('Cannot start job')) return undefined;
  const m = BUSY_JOB.exec(event.message);
  if (!m) return undefined;
  const asyncJob = m[3]!.trim();
  const useAsync = asyncJob !== 'none' && m[5] !== '0';
  const thread = Number(useAsync ? m[5] : m[4]);
  const durations = DURATIONS.exec(event.message);
  const seconds = durations ? (useAsync ? durations[2] : durations[1]) : undefined;
  if (!Number.isSafeInteger(thread) || thread <= 0) return undefined;
  return { thread, domain: m[1]!, sinceMs: seconds === undefined ? tsMs : tsMs - Number(seconds) * 1000 };
}
