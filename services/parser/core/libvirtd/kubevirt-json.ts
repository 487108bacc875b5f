import { isoPrefixInstant } from '../syslog-time.js';

// KubeVirt's virt-launcher runs libvirt (virtqemud) inside the VM's pod and logs as JSON, one object a line.
// libvirt's own lines are forwarded with `"subcomponent":"libvirt"` and libvirt's `function:line` in `pos`
// (kubevirt pkg/virt-launcher/virtwrap/util/libvirt_helper.go); virt-launcher's own lines name the Go file:
//   {"component":"virt-launcher","level":"error","msg":"Unable to read from monitor: Connection reset by peer",
//    "pos":"qemuMonitorIORead:607","subcomponent":"libvirt","thread":"63","timestamp":"2019-08-12T16:34:22.589000Z"}
//   {"component":"virt-launcher","kind":"","level":"info","msg":"Synced vmi","name":"vgpu","namespace":"default",
//    "pos":"server.go:208","timestamp":"2024-02-06T03:56:57.100779Z","uid":"1a49d592-…"}
// KubeVirt names the libvirt domain of a VMI `<namespace>_<name>` (VMINamespaceKeyFunc), as libvirt's own lines
// and the qemu log file name do, so that is the domain name an event gets.

export interface LauncherLine {
  readonly component?: string;
  readonly subcomponent?: string;
  readonly level?: string;
  readonly message: string;
  /** libvirt's function and line, from `pos` when it is `name:line` (not a Go file). */
  readonly fn?: string;
  readonly fnLine?: number;
  readonly thread?: number;
  readonly timestampMs?: number;
  readonly domainName?: string;
}

const LIBVIRT_POS = /^([A-Za-z_]\w*):(\d+)$/;
const VMI_KINDS = new Set(['', 'VirtualMachineInstance', 'VirtualMachine', 'Domain']);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A JSON object line, or undefined when the line is not one. */
export function parseJsonObject(text: string): Readonly<Record<string, unknown>> | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  return doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
}

/** Reads a virt-launcher (or other KubeVirt component) log object; undefined when it is not one. */
export function readLauncherJson(o: Readonly<Record<string, unknown>>): LauncherLine | undefined {
  const msg = str(o.msg);
  const component = str(o.component);
  if (msg === undefined || component === undefined) return undefined;
  const reason = str(o.reason);
  const line: { -readonly [K in keyof LauncherLine]: LauncherLine[K] } = { message: reason ? `${msg}: ${reason}` : msg, component };
  const sub = str(o.subcomponent);
  if (sub) line.subcomponent = sub;
  const level = str(o.level);
  if (level) line.level = level;
  const pos = LIBVIRT_POS.exec(str(o.pos) ?? '');
  if (pos) {
    line.fn = pos[1] as string;
    line.fnLine = Number(pos[2]);
  }
  const thread = Number(o.thread);
  if (o.thread !== undefined && Number.isSafeInteger(thread)) line.thread = thread;
  const stamp = str(o.timestamp);
  const instant = stamp ? isoPrefixInstant(stamp) : undefined;
  if (instant) line.timestampMs = instant.ms;
  const name = str(o.name);
  const kind = str(o.kind);
  if (name && (kind === undefined || VMI_KINDS.has(kind))) {
    const namespace = str(o.namespace);
    line.domainName = namespace ? `${namespace}_${name}` : name;
  }
  return line;
}
