import type { Bugcheck } from '../../../../shared/schema/event.js';
import type { EventAction } from '../../../../shared/vocabulary.js';
import { buildBugcheck } from '../bugcheck.js';
import { jobLockDomain } from './job-lock.js';

// Message-level rules for the libvirtd messages that matter (DESIGN.md section 4 vocabulary). A table, first
// match wins, so adding a message touches one row. Patterns are anchored on libvirt's own message texts
// (src/qemu/qemu_monitor.c "End of file from qemu monitor", qemu_migration.c "migration job: unexpectedly
// failed", virlog/virNetClient "Cannot open log file", storage_backend "ignoring permission error"; the job lock of
// qemu_domain.c / virdomainjob.c, see job-lock.ts).

export interface MessageFacts {
  action: EventAction;
  domainName?: string;
  domainUuid?: string;
  libvirtVersion?: string;
  hostName?: string;
  shutdownReason?: string;
  bugcheck?: Bugcheck;
  path?: string;
}

interface Rule {
  readonly action: EventAction;
  readonly fn?: RegExp;
  readonly message?: RegExp;
  readonly extract?: (m: RegExpExecArray, facts: MessageFacts) => void;
}

const RULES: readonly Rule[] = [
  {
    action: 'job-lock',
    message: /Cannot start job \(/,
    extract: (m, f) => {
      const domain = jobLockDomain(m.input);
      if (domain) f.domainName = domain;
    },
  },
  { action: 'job-lock', message: /cannot acquire state change lock/ },
  { action: 'daemon-start', message: /^libvirt version: ([^,\s]+)/, extract: (m, f) => (f.libvirtVersion = m[1]) },
  { action: 'daemon-info', message: /^hostname: (\S+)/, extract: (m, f) => (f.hostName = m[1]) },
  { action: 'monitor-eof', message: /End of file from (?:qemu )?monitor/ },
  { action: 'monitor-eof', fn: /^qemuProcessHandleMonitorEOF$/ },
  {
    action: 'monitor-error',
    message: /Unable to (?:read from|write to) monitor|monitor socket did not show up|qemu unexpectedly closed the monitor|process exited while connecting to monitor|monitor.*(?:timed out|not responding)/i,
  },
  { action: 'log-open-busy', message: /Cannot open log file: '([^']+)': Device or resource busy/, extract: (m, f) => (f.path = m[1]) },
  { action: 'migration-failed', message: /migration (?:job|out)?:? ?(?:unexpectedly failed|failed|was cancelled)|operation failed: migration|migration of domain .* failed/i },
  { action: 'migration-failed', fn: /^qemuMigration\w*$/, message: /fail|error|cancel/i },
  { action: 'storage-permission', message: /ignoring permission error for '([^']+)'/, extract: (m, f) => (f.path = m[1]) },
  { action: 'storage-permission', message: /Cannot access storage file '([^']+)'.*Permission denied/, extract: (m, f) => (f.path = m[1]) },
  {
    action: 'guest-panic',
    message: /panic hyper-v: arg1='?(0x[0-9a-fA-F]+)'?, arg2='?(0x[0-9a-fA-F]+)'?, arg3='?(0x[0-9a-fA-F]+)'?, arg4='?(0x[0-9a-fA-F]+)'?, arg5='?(0x[0-9a-fA-F]+)'?/,
    extract: (m, f) => {
      const bugcheck = buildBugcheck(m[1] as string, [m[2] as string, m[3] as string, m[4] as string, m[5] as string]);
      if (bugcheck) f.bugcheck = bugcheck;
    },
  },
  { action: 'guest-panic', message: /\bpanick?ed\b|guest panic/i },
  { action: 'kvm-internal-error', message: /KVM internal error|emulation failure/ },
  {
    action: 'vm-shutdown',
    fn: /^qemuProcessStop$/,
    message: /reason=(\w+)/,
    extract: (m, f) => (f.shutdownReason = m[1]),
  },
  { action: 'vm-start', fn: /^qemuProcessStart$/ },
  { action: 'vm-start', message: /^Beginning VM startup process/ },
];

const DOMAIN_PATTERNS: readonly RegExp[] = [
  /\/qemu\/([^/']+)\.log'/,
  /\bvm='([^']+)'/,
  /\bname='([^']+)'/,
  // Not qemu's `node-name=` / `-name guest=` inside a quoted command line.
  /(?<![-\w])name=([^\s,'"]+)/,
  /\bdomain '([^']+)'/i,
  /\bGuest '([^']+)'/,
  /Received EOF on 0x[0-9a-f]+ '([^']+)'/,
  // KubeVirt's virt-launcher: "Domain name event: default_vgpu".
  /^Domain name event: (\S+)$/,
  // libvirt's per-domain paths: /var/lib/libvirt/qemu/domain-1-win11/ (the name cut to 20 characters by
  // virDomainDefGetShortName, so only a shorter one is the whole name) and the NVRAM copy <name>_VARS.fd.
  /\/domain-\d+-([^/\s']{1,19})\//,
  /\/nvram\/([^/\s']+)_VARS\.fd\b/,
];

/** Classifies one libvirtd message; unknown messages are `other`, never dead letters. */
export function classifyLibvirtdMessage(fn: string | undefined, message: string): MessageFacts {
  const facts: MessageFacts = { action: 'other' };
  for (const rule of RULES) {
    if (rule.fn && (fn === undefined || !rule.fn.test(fn))) continue;
    let m: RegExpExecArray | null = null;
    if (rule.message) {
      m = rule.message.exec(message);
      if (!m) continue;
    }
    facts.action = rule.action;
    if (m && rule.extract) rule.extract(m, facts);
    break;
  }
  if (facts.action !== 'daemon-start' && facts.action !== 'daemon-info') {
    for (const re of facts.domainName ? [] : DOMAIN_PATTERNS) {
      const m = re.exec(message);
      if (m?.[1]) {
        facts.domainName = m[1];
        break;
      }
    }
    const uuid = /\buuid=([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i.exec(message);
    if (uuid?.[1]) facts.domainUuid = uuid[1].toLowerCase();
  }
  return facts;
}
