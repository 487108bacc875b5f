// The periodic one-line status (issue 4): what a person tailing the shipper's log wants to see every N seconds.

export interface StatusSample {
  readonly at: number;
  readonly records: number;
  readonly bytes: number;
}

export interface StatusFields {
  readonly files: number;
  readonly lines_per_s: number;
  readonly bytes_per_s: number;
  readonly lag_bytes: number;
  readonly queued_records: number;
  readonly kafka: 'ok' | 'unreachable';
}

export function buildStatus(previous: StatusSample, current: StatusSample, files: number, lagBytes: number, queuedRecords: number, kafkaOk: boolean): StatusFields {
  const seconds = Math.max(0.001, (current.at - previous.at) / 1000);
  return {
    files,
    lines_per_s: Math.round((current.records - previous.records) / seconds),
    bytes_per_s: Math.round((current.bytes - previous.bytes) / seconds),
    lag_bytes: lagBytes,
    queued_records: queuedRecords,
    kafka: kafkaOk ? 'ok' : 'unreachable',
  };
}
