// One Windows event record as both Windows paths deliver it (event XML and Winlogbeat JSON), in Winlogbeat's
// names, before normalization. Everything is a string, as Winlogbeat writes `winlog.*`.

export interface WindowsRecord {
  readonly channel?: string;
  /** Event id as a decimal string (`"41"`); EventID Qualifiers are not part of it (Winlogbeat does the same). */
  readonly eventId: string;
  readonly providerName?: string;
  /** The legacy source name (`BugCheck` for WER 1001 in the System log), when the XML gives one. */
  readonly eventSourceName?: string;
  readonly recordId?: string;
  readonly computerName?: string;
  /** `<Data Name='X'>` by name, unnamed `<Data>` as param1..n, `<Binary>` as Binary, `<UserData>` flattened. */
  readonly eventData: Readonly<Record<string, string>>;
  readonly message?: string;
  /** Lowercase level name as Winlogbeat writes `log.level` (`critical`, `error`, `warning`, `information`). */
  readonly level?: string;
  /** TimeCreated as the source wrote it (SystemTime, winlog.time_created or @timestamp), all its digits. */
  readonly timeCreated?: string;
}

/** Event XML `<Level>` numbers (winmeta.xml) to the names Winlogbeat writes to `log.level`. */
export const LEVEL_NAMES: Readonly<Record<string, string>> = {
  '0': 'information',
  '1': 'critical',
  '2': 'error',
  '3': 'warning',
  '4': 'information',
  '5': 'verbose',
};
