import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '../../../shared/logger.js';
import { INDICES } from '../../../shared/topics.js';
import { AUDIT_TEMPLATE_NAME, auditTemplateBody } from '../../audit/adapters/audit-index.js';
import { buildTemplateSet, eventsMapping, incidentsMapping, alertsMapping, deadletterMapping, type TemplateSettings } from '../core/templates.js';
import type { EsMapping } from '../core/mapping-from-schema.js';

// Installs (or updates) the component and composable index templates and creates the fixed indices,
// idempotently. Called by the indexer at start and by `hangwatch stack up` (infra/templates-hook.ts).
// A template only shapes indices created after it, so fields added to the schemas since an index was created
// are also put into the existing hangwatch indices' mappings (additive; a conflicting change is reported, not
// forced: it takes effect with the next daily index).

type PutIndexTemplate = Parameters<Client['indices']['putIndexTemplate']>[0];
type PutComponentTemplate = Parameters<Client['cluster']['putComponentTemplate']>[0];
type PutMapping = Parameters<Client['indices']['putMapping']>[0];

export interface InstallOptions extends TemplateSettings {
  readonly logger?: Logger;
}

export async function installTemplates(client: Client, options: InstallOptions = { shards: 1, replicas: 0 }): Promise<void> {
  const set = buildTemplateSet(options);
  for (const component of set.components) {
    await client.cluster.putComponentTemplate({ name: component.name, ...component.body } as PutComponentTemplate);
  }
  for (const template of set.indexTemplates) {
    await client.indices.putIndexTemplate({ name: template.name, ...template.body } as PutIndexTemplate);
  }
  // Audit findings may reach hangwatch-audit through this indexer (topic kind `audit`) before `hangwatch audit --es`
  // ever ran; the template is the audit command's, so both writers get the same mapping.
  await client.indices.putIndexTemplate({ name: AUDIT_TEMPLATE_NAME, ...auditTemplateBody() } as PutIndexTemplate);
  for (const index of [INDICES.incidents, INDICES.alerts, INDICES.deadletter]) {
    if (await client.indices.exists({ index })) continue;
    try {
      await client.indices.create({ index });
    } catch (error) {
      // Another replica created it between our check and our create.
      if (!/resource_already_exists_exception/.test(String((error as Error).message))) throw error;
    }
  }
  await updateExistingMappings(client, options.logger);
}

async function updateExistingMappings(client: Client, logger: Logger | undefined): Promise<void> {
  const targets: Array<[string, EsMapping]> = [
    [INDICES.eventsPattern, eventsMapping()],
    [INDICES.incidents, incidentsMapping()],
    [INDICES.alerts, alertsMapping()],
    [INDICES.deadletter, deadletterMapping()],
  ];
  for (const [index, mapping] of targets) {
    try {
      await client.indices.putMapping({ index, allow_no_indices: true, ignore_unavailable: true, ...mapping } as PutMapping);
    } catch (error) {
      logger?.warn({ index, reason: String((error as Error).message).slice(0, 500) }, 'existing index keeps its older mapping; new indices get the template');
    }
  }
}
