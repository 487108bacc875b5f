import { z } from 'zod';
import {
  ATTRIBUTIONS,
  DATASETS,
  EVENT_ACTIONS,
  EVENT_CATEGORIES,
  EVENT_KINDS,
  EVENT_TYPES,
  IDENTITY_CLAIMS,
  TIME_BASES,
  YEAR_BASES,
} from '../vocabulary.js';

// The normalized event of DESIGN.md section 4: one runtime schema, and the TypeScript type inferred from it,
// so the two can never disagree. Nested as Elasticsearch and Winlogbeat write it.

export const SCHEMA_VERSION = '1';

const isoInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'UTC ISO 8601 with milliseconds');
const hex8 = z.string().regex(/^0x[0-9a-f]{8}$/, '0x + 8 lowercase hex digits');
const hexParam = z.string().regex(/^0x(0|[1-9a-f][0-9a-f]*)$/, '0x + lowercase hex without leading zeros');

export const BugcheckSchema = z.object({
  code: hex8,
  name: z.string().optional(),
  parameters: z.array(hexParam).length(4).optional(),
  arguments: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type Bugcheck = z.infer<typeof BugcheckSchema>;

export const QemuSchema = z.object({
  version: z.string().optional(),
  cpu: z
    .object({
      model: z.string().optional(),
      flags: z.array(z.string()).optional(),
      // Extension (issue 19): -cpu properties that are not CPUID feature bits (`migratable=on`, `level=13`).
      properties: z.array(z.string()).optional(),
    })
    .optional(),
  hyperv: z.array(z.string()).optional(),
  smp: z
    .object({
      cpus: z.number().int().optional(),
      sockets: z.number().int().optional(),
      cores: z.number().int().optional(),
      threads: z.number().int().optional(),
      maxcpus: z.number().int().optional(),
    })
    .optional(),
  rtc: z.object({ base: z.string().optional() }).optional(),
  net: z.object({ mac: z.array(z.string()).optional() }).optional(),
  machine: z.string().optional(),
  memory_mb: z.number().optional(),
  spice: z.object({ port: z.number().int().optional() }).optional(),
  drives: z.array(z.string()).optional(),
  signal: z.object({ number: z.number().int().optional(), sender_pid: z.number().int().optional() }).optional(),
  shutdown: z.object({ reason: z.string().optional() }).optional(),
  cpuid: z.object({ feature: z.string().optional(), register: z.string().optional() }).optional(),
  // Extension (issue 19): the disk error a guest was paused on (`IO error device=... node-name=... reason=...`).
  io_error: z
    .object({ device: z.string().optional(), node_name: z.string().optional(), reason: z.string().optional(), errno: z.number().int().optional() })
    .optional(),
});
export type QemuFields = z.infer<typeof QemuSchema>;

export const EcsEventSchema = z.object({
  '@timestamp': isoInstant,
  event: z.object({
    id: z.string().min(1),
    created: isoInstant.optional(),
    ingested: isoInstant.optional(),
    original: z.string().optional(),
    dataset: z.enum(DATASETS),
    kind: z.enum(EVENT_KINDS),
    category: z.array(z.enum(EVENT_CATEGORIES)).optional(),
    type: z.array(z.enum(EVENT_TYPES)).optional(),
    action: z.enum(EVENT_ACTIONS),
    code: z.string().optional(),
  }),
  log: z
    .object({
      level: z.string().optional(),
      origin: z
        .object({
          function: z.string().optional(),
          file: z.object({ line: z.number().int().optional() }).optional(),
        })
        .optional(),
      file: z.object({ path: z.string().optional() }).optional(),
      offset: z.number().int().nonnegative().optional(),
    })
    .optional(),
  process: z
    .object({
      pid: z.number().int().optional(),
      name: z.string().optional(),
      thread: z.object({ id: z.number().int().optional() }).optional(),
    })
    .optional(),
  host: z
    .object({
      name: z.string().optional(),
      mac: z.array(z.string()).optional(),
      // Extension (issue 15): host CPU samples. `usage` is ECS host.cpu.usage (0..1, all cores); the rest are ours:
      // PSI averages as the kernel prints them (percent), the PSI stall counter and steal as per-interval rates.
      cpu: z
        .object({
          usage: z.number().optional(),
          steal_pct: z.number().optional(),
          pressure_some_avg10: z.number().optional(),
          pressure_some_avg60: z.number().optional(),
          pressure_some_avg300: z.number().optional(),
          pressure_full_avg10: z.number().optional(),
          pressure_some_ms_per_s: z.number().optional(),
          runqueue: z.number().int().optional(),
          count: z.number().int().optional(),
          load_1: z.number().optional(),
          interval_ms: z.number().int().optional(),
          // Extension: iostat's avg-cpu row, percent of CPU time over the report's interval, as
          // sysstat prints it (%user %nice %system %iowait %steal %idle; steal is steal_pct above).
          user_pct: z.number().optional(),
          nice_pct: z.number().optional(),
          system_pct: z.number().optional(),
          iowait_pct: z.number().optional(),
          idle_pct: z.number().optional(),
        })
        .optional(),
    })
    .optional(),
  message: z.string().optional(),
  libvirt: z
    .object({
      domain: z.object({ name: z.string().optional(), uuid: z.string().optional() }).optional(),
      hypervisor: z.string().optional(),
      version: z.string().optional(),
      // Extension (issue 15): one vCPU over one sampling interval of `virsh domstats --vcpu`. Counters in ns as
      // libvirt reports them (beyond 2^53 ns they lose precision as JSON numbers; the rates are computed exactly);
      // `*_ms_per_s`: ms of that time per second of wall time over `interval_ms`. `delay` (libvirt >= 7.9) is the
      // time the vCPU thread sat runnable in the host's run queue, what the guest sees as steal time.
      vcpu: z
        .object({
          id: z.number().int(),
          state: z.number().int().optional(),
          time_ns: z.number().optional(),
          wait_ns: z.number().optional(),
          delay_ns: z.number().optional(),
          time_ms_per_s: z.number().optional(),
          wait_ms_per_s: z.number().optional(),
          delay_ms_per_s: z.number().optional(),
          interval_ms: z.number().int().optional(),
        })
        .optional(),
    })
    .optional(),
  qemu: QemuSchema.optional(),
  winlog: z
    .object({
      channel: z.string().optional(),
      event_id: z.string().optional(),
      provider_name: z.string().optional(),
      record_id: z.string().optional(),
      computer_name: z.string().optional(),
      event_data: z.record(z.string(), z.string()).optional(),
      // Winlogbeat's name: the record's TimeCreated in UTC with the sub-millisecond digits the source gave (up to
      // 7, Windows' 100 ns ticks), which @timestamp's milliseconds drop.
      time_created: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/)
        .optional(),
    })
    .optional(),
  windows: z
    .object({
      bugcheck: BugcheckSchema.optional(),
      // Extensions: local (locale-formatted) times of 6008, WinDbg report facts, dump header facts.
      // 6008: local_time/local_date as Windows wrote them (locale text); local_datetime the same instant as ISO
      // local `YYYY-MM-DDTHH:MM:SS` (guest wall clock, no offset); time_utc/offset_minutes from the record's
      // <Binary> SYSTEMTIMEs when present (locale-free, and they tell the guest's UTC offset).
      shutdown: z
        .object({
          local_time: z.string().optional(),
          local_date: z.string().optional(),
          local_datetime: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/).optional(),
          time_utc: isoInstant.optional(),
          offset_minutes: z.number().int().optional(),
        })
        .optional(),
      windbg: z
        .object({
          session_time_local: z.string().optional(),
          gmt_offset_minutes: z.number().int().optional(),
          uptime_ms: z.number().optional(),
          boot_time: isoInstant.optional(),
          os_build: z.string().optional(),
          processors: z.number().int().optional(),
          bugcheck_str: z.string().optional(),
          process_name: z.string().optional(),
          current_irql: z.string().optional(),
          module_name: z.string().optional(),
          image_name: z.string().optional(),
          failure_bucket_id: z.string().optional(),
          stack: z.array(z.string()).optional(),
          /** All frames of STACK_TEXT; `stack` keeps at most the first 64. */
          stack_frames: z.number().int().nonnegative().optional(),
          // Extension: the dump the debugger session opened (`Loading Dump File [...]`, `FILE_IN_CAB:`),
          // which ties a report without a session time to the dump header beside it (a minidump's name carries its date).
          dump_file: z.string().optional(),
        })
        .optional(),
      dump: z
        .object({
          type: z.string().optional(),
          machine: z.string().optional(),
          processors: z.number().int().optional(),
          os_version: z.string().optional(),
          uptime_ms: z.number().optional(),
          // Extensions (issue 10): the header's build number, SystemTime, 32/64-bit layout and signature.
          build: z.number().int().optional(),
          system_time: isoInstant.optional(),
          // A SystemTime that cannot be the crash time (after the read, before 2000): the raw FILETIME, kept.
          system_time_claimed: z.string().optional(),
          bits: z.number().int().optional(),
          signature: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  linux: z
    .object({
      kernel: z
        .object({
          uptime_s: z.number().optional(),
          cpu: z.number().int().optional(),
          task: z.string().optional(),
          stuck_s: z.number().optional(),
          msr: z.string().optional(),
          // Extensions (issue 3): the guest vCPU of a kvm message, the block device of an I/O error.
          vcpu: z.number().int().optional(),
          device: z.string().optional(),
        })
        .optional(),
      iostat: z
        .object({
          device: z.string(),
          r_s: z.number().optional(),
          w_s: z.number().optional(),
          r_await_ms: z.number().optional(),
          w_await_ms: z.number().optional(),
          await_ms: z.number().optional(),
          util_pct: z.number().optional(),
          // Extension: the rest of the device tables (iostat -d/-s/-x): transfers per second,
          // throughput in kB/s whatever unit the table used (MB with -m, 512-byte sectors in old -x and
          // Blk_read/s), average queue size (avgqu-sz / aqu-sz).
          tps: z.number().optional(),
          r_kb_s: z.number().optional(),
          w_kb_s: z.number().optional(),
          aqu_sz: z.number().optional(),
        })
        .optional(),
    })
    .optional(),
  hangwatch: z.object({
    // Extension: `suspect` (DESIGN.md section 6, guest clocks are untrusted): a guest's time that cannot be right (far
    // after the read, before 2000), kept and flagged; it never moves a watermark or picks an index. `claimed`: the
    // time such a record claimed, once the correlator dated it by its reading instead (basis `ingest`).
    time: z.object({ basis: z.enum(TIME_BASES), zone: z.string().optional(), year: z.enum(YEAR_BASES).optional(), suspect: z.boolean().optional(), claimed: z.string().optional() }),
    attribution: z.enum(ATTRIBUTIONS).optional(),
    attribution_confidence: z.number().min(0).max(1).optional(),
    // Extension (bindings beat claims): the record was attributed by a binding the operator made (its collection
    // folder, its sender's topic) while its own claim (computer name, MAC) points to `claimed`; kept, never followed.
    identity: z
      .object({
        conflict: z.object({ claimed: z.string(), via: z.enum(IDENTITY_CLAIMS), claim: z.string().optional() }).optional(),
      })
      .optional(),
    parse: z.object({
      grammar: z.string(),
      flags: z.array(z.string()).optional(),
    }),
    source: z
      .object({
        fingerprint: z.string().optional(),
        format: z.string().optional(),
        // Extension (issues 13, 14): the peer shipper that delivered the record (`filebeat`, `vector`, `rsyslog`,
        // `winlogbeat`); absent for our own shipper.
        shipper: z.string().optional(),
      })
      .optional(),
    // Extension (issue 13): the record's own read time minus its event time, both from the guest's clock
    // (Winlogbeat's event.created - @timestamp), in ms.
    // Extension (issue 13): corrected_ms = how much the correlator subtracted from the record's guest-clock time,
    // the guest's clock skew measured against the hypervisor (services/correlator/core/guest-clock.ts).
    clock: z.object({ skew_ms: z.number().int().optional(), corrected_ms: z.number().int().optional() }).optional(),
  }),
});

export type EcsEvent = z.infer<typeof EcsEventSchema>;
/** A guest's claim that contradicts the binding its record was attributed by (hangwatch.identity.conflict). */
export type IdentityConflict = NonNullable<NonNullable<EcsEvent['hangwatch']['identity']>['conflict']>;

/** Validates an event; returns the list of problems (empty when valid). Used at service boundaries and in tests. */
export function listEventProblems(value: unknown): string[] {
  const result = EcsEventSchema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
