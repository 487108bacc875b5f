import type { Client } from '@elastic/elasticsearch';
import { INDICES } from '../../../shared/topics.js';
import { buildIndexTemplates, type TemplateSettings } from '../core/templates.js';

// Installs (or updates) the composable index templates and creates the fixed indices, idempotently.
// Called by the indexer at start and by `hangwatch stack up`.

export async function installTemplates(client: Client, settings: TemplateSettings = { shards: 1, replicas: 0 }): Promise<void> {
  for (const template of buildIndexTemplates(settings)) {
    await client.indices.putIndexTemplate({ name: template.name, ...(template.body as object) } as Parameters<Client['indices']['putIndexTemplate']>[0]);
  }
  for (const index of [INDICES.incidents, INDICES.alerts, INDICES.deadletter]) {
    const exists = await client.indices.exists({ index });
    if (!exists) {
      try {
        await client.indices.create({ index });
      } catch (error) {
        // Another replica created it between our check and our create.
        if (!/resource_already_exists_exception/.test(String((error as Error).message))) throw error;
      }
    }
  }
}
