// libvirt's job lock (qemu_domain.c qemuDomainObjBeginJobInternal, libvirt >= 8 virdomainjob.c
// virDomainObjBeginJobInternal): an API call that waited 30 s for a domain's job writes a warning naming the
// domain, then fails with an error that does not:
//   warning : qemuDomainObjBeginJobInternal:953 : Cannot start job (none, none, start) for domain vm_6_135; current
//     job is (none, none, snapshot) owned by (0 <null>, 0 <null>, 4340 remoteDispatchDomainSnapshotCreateXML
//     (flags=0x280)) for (0s, 0s, 74645s)
//   error : qemuDomainObjBeginJobInternal:975 : Timed out during operation: cannot acquire state change lock (held by
//     monitor=remoteDispatchDomainSnapshotCreateXML)
// (libvirt >= 6 adds ` in API remoteDispatchX` after the job triple; older ones write `(held by remoteDispatchX)`.)
// Both come from the same thread within the same millisecond. libvirt's journald output has no thread id, but the
// API holding the lock is named in both lines, which ties them just as well. A stuck job is the usual sign of a
// qemu monitor that stopped answering.

const CANNOT_START = /Cannot start job \([^)]*\)(?: in API \S+)? for domain (.+?); current job is /;
const HELD_BY = /cannot acquire state change lock \(held by ([^)]*)\)/;
/** The warning comes right before the error (same call); a few seconds allow for slow log outputs. */
const NEIGHBOUR_MS = 5_000;
const KEEP = 8;

/** The domain a `Cannot start job ... for domain X;` line names. */
export function jobLockDomain(message: string): string | undefined {
  return CANNOT_START.exec(message)?.[1];
}

export interface JobLockNote {
  readonly domain: string;
  readonly ms: number;
  readonly thread?: number;
  readonly pid?: number;
  readonly message: string;
}

export interface JobLockAttribution {
  readonly domain: string;
  readonly attribution: 'thread' | 'job';
  readonly confidence: number;
}

/** Remembers a job-lock line that names its domain (the last few per source). */
export function noteJobLock(notes: JobLockNote[], note: JobLockNote): void {
  notes.push(note);
  if (notes.length > KEEP) notes.shift();
}

/**
 * The domain of a `cannot acquire state change lock` line that names none: the same thread's `Cannot start job`
 * line just before it (attribution `thread`), else, without thread ids, the same daemon's line whose job owner
 * is the API the error says holds the lock (attribution `job`).
 */
export function attributeStateLock(notes: readonly JobLockNote[], line: { ms: number; thread?: number; pid?: number; message: string }): JobLockAttribution | undefined {
  const held = HELD_BY.exec(line.message)?.[1];
  const apis = held ? held.split(/[\s,]+/).map((a) => a.replace(/^\w+=/, '')).filter((a) => a !== '') : [];
  for (let i = notes.length - 1; i >= 0; i--) {
    const note = notes[i] as JobLockNote;
    if (Math.abs(line.ms - note.ms) > NEIGHBOUR_MS) continue;
    if (line.thread !== undefined && note.thread !== undefined) {
      if (line.thread === note.thread) return { domain: note.domain, attribution: 'thread', confidence: 0.9 };
      continue;
    }
    if (line.pid !== undefined && note.pid !== undefined && line.pid !== note.pid) continue;
    if (apis.some((api) => note.message.includes(api))) return { domain: note.domain, attribution: 'job', confidence: 0.8 };
  }
  return undefined;
}
