import type { PidState } from './pid-file.js';

// What `status` reports for one service, decided from its pid file and whether its port answers.

export type ServiceName = 'kafka' | 'elasticsearch';

export type ServiceState =
  /** our process is alive and its port answers */
  | 'running'
  /** our process is alive, its port does not answer yet (or any more) */
  | 'starting'
  /** nothing of ours, nothing on the port */
  | 'stopped'
  /** a pid file whose process is gone; `up` and `down` clean it */
  | 'stale'
  /** no process of ours, but something else answers on the port */
  | 'port-taken';

export function judgeServiceState(pid: PidState, portAnswering: boolean): ServiceState {
  if (pid.kind === 'alive') return portAnswering ? 'running' : 'starting';
  if (portAnswering) return 'port-taken';
  return pid.kind === 'stale' ? 'stale' : 'stopped';
}

export interface ServiceStatus {
  readonly name: ServiceName;
  readonly version: string;
  readonly state: ServiceState;
  readonly pid: number | undefined;
  /** host:port for Kafka, URL for Elasticsearch */
  readonly address: string;
  readonly port: number;
  readonly logs: string;
  readonly data: string;
  readonly detail: string | undefined;
}
