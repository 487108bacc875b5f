import type { WindowsReason } from './windows-evidence.js';
import type { ConfigSource } from './domain-config.js';

// One audited Windows domain, as printed by `hangwatch audit --format json` and indexed into `hangwatch-audit`
// (document id = audit.id, so a re-run replaces the domain's document). ECS-shaped where ECS has names.

/** What can be missing: the four enlightenments of DESIGN.md section 5, and the RTC catch-up policy. */
export const AUDIT_CHECKS = ['relaxed', 'spinlocks', 'vapic', 'time', 'rtc-catchup'] as const;
export type AuditCheck = (typeof AUDIT_CHECKS)[number];

export interface AuditProblem {
  readonly check: AuditCheck | 'restart-pending';
  readonly detail: string;
}

export interface AuditFinding {
  readonly '@timestamp': string;
  readonly event: {
    readonly id: string;
    readonly kind: 'state';
    readonly category: readonly ['configuration'];
    readonly type: readonly ['info'];
    readonly dataset: 'hangwatch.audit';
    readonly action: 'domain-audit';
  };
  readonly message: string;
  readonly libvirt: { readonly domain: { readonly name: string; readonly uuid?: string }; readonly hypervisor?: string };
  readonly audit: {
    readonly id: string;
    /**
     * `exposed`: runs without hv_relaxed, so a descheduled vCPU can take it down with a watchdog bugcheck as it
     * took the seed's guests; `partial`: hv_relaxed is there, something else is missing; `ok`: nothing missing.
     */
    readonly status: 'exposed' | 'partial' | 'ok';
    readonly windows: { readonly certainty: 'known' | 'likely'; readonly reasons: readonly WindowsReason[]; readonly os_id?: string };
    readonly missing: readonly AuditCheck[];
    readonly problems: readonly AuditProblem[];
    /** The exact XML to add, one line per place (`<features><hyperv>: <relaxed state='on'/>`). */
    readonly remediation?: string;
    readonly source: { readonly kind: ConfigSource; readonly path: string };
    /** The newest qemu command line of the domain, when one was seen beside its XML. */
    readonly running?: { readonly path: string; readonly seen_at?: string; readonly missing: readonly AuditCheck[] };
  };
}
