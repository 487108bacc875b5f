// Guest clocks are untrusted: a compromised or merely broken Windows guest writes whatever
// time it likes into its event log, its WinDbg report and its dump header. A guest record's time that cannot be
// right is kept as the guest claimed it and flagged `hangwatch.time.suspect`, so that it never moves a watermark,
// never opens an incident at the claimed time and never picks a daily index. What "cannot be right" means here:
// - more than a day after the record was read: a day of slack covers a local time read as UTC on a guest whose
//   zone is not known yet (the widest offset is 14 hours) and a guest clock a few hours fast;
// - before 2000: no Windows guest of this fleet was running then; a reset CMOS clock or random bytes are;
// - more than a year before the latest full-dated record of the same hypervisor (libvirtd, qemu, iostat, journal):
//   a guest does not run a year behind its host, and logs of an old crash are collected with the host's logs of
//   that time, so the host's records are from the same period.

export const SUSPECT_AFTER_READ_MS = 86_400_000;
export const EARLIEST_PLAUSIBLE_MS = Date.UTC(2000, 0, 1);
export const SUSPECT_BEFORE_HOST_MS = 365 * 86_400_000;

/**
 * True when a guest record's time cannot be right.
 * @param readMs when the record was read (the earlier of the record's own read time and the shipper's).
 * @param hostDatedMs the latest full-dated record of the same hypervisor seen so far, if any.
 */
export function isSuspectGuestTime(timeMs: number, readMs: number, hostDatedMs: number | undefined): boolean {
  if (!Number.isFinite(timeMs)) return false;
  if (timeMs < EARLIEST_PLAUSIBLE_MS) return true;
  if (Number.isFinite(readMs) && timeMs > readMs + SUSPECT_AFTER_READ_MS) return true;
  return hostDatedMs !== undefined && timeMs < hostDatedMs - SUSPECT_BEFORE_HOST_MS;
}
