import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Client } from '@elastic/elasticsearch';
import { exists } from './download.js';
import { REPO_ROOT } from './settings.js';

// `stack up` installs the indexer's index templates when that module exists. Imported by path at run time so
// infra does not depend on the indexer at compile time, and a tree without it yet still starts its stack.

const CANDIDATES = ['services/indexer/adapters/install-templates.ts', 'services/indexer/adapters/install-templates.js'];

type InstallTemplates = (client: Client) => Promise<unknown>;

/** Returns 'installed', or 'absent' when there is no such module or it exports no installTemplates. */
export async function installIndexTemplates(client: Client): Promise<'installed' | 'absent'> {
  for (const relative of CANDIDATES) {
    const path = join(REPO_ROOT, relative);
    if (!(await exists(path))) continue;
    const mod = (await import(pathToFileURL(path).href)) as { installTemplates?: InstallTemplates };
    if (typeof mod.installTemplates !== 'function') return 'absent';
    await mod.installTemplates(client);
    return 'installed';
  }
  return 'absent';
}
