import type { Client } from '@elastic/elasticsearch';
import { HangwatchError } from '../../../shared/errors.js';
import { INDICES } from '../../../shared/topics.js';
import type { AuditFinding } from '../core/audit-finding.js';

// Indexes audit findings into `hangwatch-audit` (one document per domain, _id = audit.id, so a re-run replaces it).
// The index template lives here rather than beside the indexer's templates: audit documents are written only by
// this command, and the indexer's templates are built from the event schemas.

export const AUDIT_TEMPLATE_NAME = 'hangwatch-audit';

const KEYWORD = { type: 'keyword', ignore_above: 1024 } as const;
const TEXT = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } } as const;

export function auditTemplateBody(): Record<string, unknown> {
  return {
    index_patterns: [INDICES.audit],
    priority: 200,
    template: {
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        dynamic: true,
        dynamic_templates: [{ strings_as_keyword: { match_mapping_type: 'string', mapping: KEYWORD } }],
        properties: {
          '@timestamp': { type: 'date' },
          message: TEXT,
          event: { properties: { id: KEYWORD, kind: KEYWORD, category: KEYWORD, type: KEYWORD, dataset: KEYWORD, action: KEYWORD } },
          libvirt: { properties: { hypervisor: KEYWORD, domain: { properties: { name: KEYWORD, uuid: KEYWORD } } } },
          audit: {
            properties: {
              id: KEYWORD,
              status: KEYWORD,
              missing: KEYWORD,
              remediation: { type: 'text' },
              windows: { properties: { certainty: KEYWORD, reasons: KEYWORD, os_id: KEYWORD } },
              problems: { properties: { check: KEYWORD, detail: { type: 'text' } } },
              source: { properties: { kind: KEYWORD, path: KEYWORD } },
              running: { properties: { path: KEYWORD, seen_at: { type: 'date' }, missing: KEYWORD } },
            },
          },
        },
      },
    },
    _meta: { managed_by: 'hangwatch' },
  };
}

export async function indexAuditFindings(es: Client, findings: readonly AuditFinding[], esUrl: string): Promise<number> {
  try {
    await es.indices.putIndexTemplate({ name: AUDIT_TEMPLATE_NAME, ...(auditTemplateBody() as object) } as Parameters<Client['indices']['putIndexTemplate']>[0]);
    if (findings.length === 0) return 0;
    const operations = findings.flatMap((f) => [{ index: { _index: INDICES.audit, _id: f.audit.id } }, f]);
    const result = await es.bulk({ operations, refresh: 'wait_for' });
    if (result.errors) {
      const first = result.items.find((i) => i.index?.error)?.index?.error;
      throw new HangwatchError('HW_ES_REJECTED', [`${first?.type ?? 'error'}: ${first?.reason ?? 'unknown'}`]);
    }
    return findings.length;
  } catch (error) {
    if (error instanceof HangwatchError) throw error;
    throw new HangwatchError('HW_ES_UNAVAILABLE', [esUrl, error instanceof Error ? error.message : String(error)], { cause: error });
  }
}
