import { z } from 'zod';
import type { AuditFinding } from './audit-finding.js';

// A finding on the wire (`hangwatch audit --kafka`, topic hangwatch.audit.v1). The topic is compacted and keyed
// by hypervisor/domain, the alert key of the exposure rule, so the latest audit of a domain is what remains and
// every finding of one domain lands on one partition, in order.

const isoInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

/**
 * What a consumer relies on; the rest of the finding (problems, windows, running, ...) passes through unchecked,
 * so a rule's message template can still read it.
 */
export const AuditRecordSchema = z
  .object({
    '@timestamp': isoInstant,
    event: z.object({ id: z.string().min(1), dataset: z.literal('hangwatch.audit') }).passthrough(),
    message: z.string(),
    libvirt: z.object({ domain: z.object({ name: z.string().min(1), uuid: z.string().optional() }).passthrough(), hypervisor: z.string().optional() }).passthrough(),
    audit: z
      .object({
        id: z.string().min(1),
        status: z.enum(['exposed', 'partial', 'ok']),
        missing: z.array(z.string()),
        remediation: z.string().optional(),
      })
      .passthrough(),
  })
  .passthrough();

/** The Kafka record key of a finding: `hypervisor/domain`, as alert.key of a rule grouped by both. */
export function auditRecordKey(finding: Pick<AuditFinding, 'libvirt'>): string {
  return `${finding.libvirt.hypervisor ?? ''}/${finding.libvirt.domain.name}`;
}

/** Parses one record's value; undefined when it is not a finding (the caller counts and logs it). */
export function parseAuditRecord(value: string): AuditFinding | undefined {
  try {
    const parsed = AuditRecordSchema.safeParse(JSON.parse(value));
    return parsed.success ? (parsed.data as unknown as AuditFinding) : undefined;
  } catch {
    return undefined;
  }
}
