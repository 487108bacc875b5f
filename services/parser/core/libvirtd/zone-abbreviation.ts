// Zone abbreviations that `journalctl -o short-full` and `systemctl status` print after a local time
// (`Thu 2025-03-27 11:47:53 CET`). Only the ones that name a single offset are here: `CST` (US central, China,
// Cuba), `IST` (India, Ireland, Israel) and `BST` (British summer, Bangladesh) are left to the configured or
// learned host zone.

const OFFSETS: Readonly<Record<string, number>> = {
  UTC: 0,
  GMT: 0,
  UT: 0,
  Z: 0,
  WET: 0,
  WEST: 60,
  CET: 60,
  CEST: 120,
  MET: 60,
  MEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  JST: 540,
  KST: 540,
  HKT: 480,
  SGT: 480,
  AWST: 480,
  ACST: 570,
  ACDT: 630,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
  EST: -300,
  EDT: -240,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
};

/** Minutes east of UTC of an unambiguous zone abbreviation, else undefined. */
export function offsetOfZoneAbbreviation(name: string): number | undefined {
  return OFFSETS[name.toUpperCase()];
}
