import type { EventAction } from '../../../../shared/vocabulary.js';

// systemd's lines about a libvirt daemon's unit, as `journalctl -u libvirtd` / `-u virtqemud` shows them among the
// daemon's own (systemd's core/unit.c and core/service.c texts; systemd >= 250 writes "Started UNIT - DESCRIPTION.",
// older ones the description alone):
//   systemd[1]: Starting libvirtd.service - libvirt legacy monolithic daemon...
//   systemd[1]: libvirtd.service: Main process exited, code=dumped, status=6/ABRT
//   systemd[1]: libvirtd.service: Failed with result 'core-dump'.
//   systemd[1]: Stopped Virtualization daemon.
//   systemd[1]: libvirtd.service: Deactivated successfully.            (240-249: "Succeeded.")
//   systemd[1]: Unit libvirtd.service entered failed state.             (CentOS 7's systemd 219)
//   systemd-coredump[5678]: Process 4397 (libvirtd) of user 0 dumped core.
// A daemon that dies takes its qemu monitors' connections with it: a crash is a cause, a stop usually is not.

const DAEMONS = 'libvirtd|virt(?:qemu|proxy|log|lock|network|storage|nodedev|secret|interface|nwfilter|xen|lxc|ch|vbox|bhyve|vz)d';
const UNIT = new RegExp(`\\b((?:${DAEMONS})(?:-(?:ro|admin|tcp|tls))?)\\.(service|socket)\\b`);
// The units' Description= lines (libvirt's src/remote/*.service.in, src/logging, src/locking).
const DESCRIPTION = /^(?:Virtualization daemon|libvirt legacy monolithic daemon|libvirt \w+ daemon|Virtual machine (?:log|lock) manager)(?<socket> .*socket)?$/i;
const COREDUMP = new RegExp(`^Process \\d+ \\((${DAEMONS})\\) of user \\d+ (?:dumped core|terminated abnormally)`);
const LIFECYCLE = /^(Starting|Started|Stopping|Stopped|Failed to start|Reloading|Reloaded|Listening on|Closed) (.+?)(?:\.\.\.|\.)?$/;
const MAIN_EXITED = /Main process exited, code=(\w+), status=(\d+)(?:\/(\w+))?/i;
const STOP_SIGNALS = new Set(['TERM', 'INT', 'HUP', '15', '2', '1']);

/** Whether a unit name is one of libvirt's daemons or their sockets. */
export function isLibvirtUnit(unit: string): boolean {
  return UNIT.test(unit);
}

export interface UnitFacts {
  readonly action: EventAction;
  readonly unit?: string;
}

/** What a systemd (or systemd-coredump) message says about a libvirt daemon; undefined when it is not about one. */
export function classifySystemdMessage(program: string, message: string): UnitFacts | undefined {
  if (program === 'systemd-coredump') {
    const m = COREDUMP.exec(message);
    return m ? { action: 'daemon-crash', unit: `${m[1] as string}.service` } : undefined;
  }
  const life = LIFECYCLE.exec(message);
  if (life) return lifecycle(life[1] as string, life[2] as string);
  const unit = UNIT.exec(message);
  if (!unit) return undefined;
  const name = unit[0];
  const isSocket = unit[2] === 'socket';
  if (isSocket) return { action: 'other', unit: name };
  const exited = MAIN_EXITED.exec(message);
  if (exited) return { action: mainExitAction(exited[1] as string, exited[2] as string, exited[3]), unit: name };
  if (/Failed with result '/.test(message) || /entered failed state|\.service failed\.$/.test(message)) return { action: 'daemon-crash', unit: name };
  if (/Deactivated successfully|: Succeeded\.$/.test(message)) return { action: 'daemon-stop', unit: name };
  return { action: 'other', unit: name };
}

function lifecycle(verb: string, what: string): UnitFacts | undefined {
  const named = UNIT.exec(what);
  const description = named ? what.slice(what.indexOf(' - ') + 3) : what;
  const described = DESCRIPTION.exec(description);
  if (!named && !described) return undefined;
  const unit = named?.[0];
  const isSocket = named ? named[2] === 'socket' : described?.groups?.socket !== undefined;
  const base = unit ? { unit } : {};
  if (isSocket) return { action: 'other', ...base };
  switch (verb) {
    case 'Starting':
    case 'Started':
      return { action: 'daemon-start', ...base };
    case 'Stopping':
    case 'Stopped':
      return { action: 'daemon-stop', ...base };
    case 'Failed to start':
      return { action: 'daemon-crash', ...base };
    default:
      return { action: 'other', ...base };
  }
}

/** `code=dumped` or a signal other than a stop request is a crash; a clean exit (status 0) is a stop. */
function mainExitAction(code: string, status: string, name: string | undefined): EventAction {
  const how = code.toLowerCase();
  if (how === 'dumped') return 'daemon-crash';
  if (how === 'killed') return STOP_SIGNALS.has(name ?? status) ? 'daemon-stop' : 'daemon-crash';
  return status === '0' ? 'daemon-stop' : 'daemon-crash';
}

/** `systemctl status`'s `Active: failed (Result: core-dump)`: the unit's state as an action. */
export function unitStateAction(state: string, result: string | undefined): EventAction {
  if ((result !== undefined && result !== 'success') || state === 'failed') return 'daemon-crash';
  if (state === 'active' || state === 'activating') return 'daemon-start';
  if (state === 'inactive' || state === 'deactivating') return 'daemon-stop';
  return 'other';
}
