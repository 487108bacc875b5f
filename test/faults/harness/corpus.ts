import { readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateCorpus, type Truth } from '../../generator/generate.js';
import { DEFAULT_OPTIONS, type GeneratorOptions } from '../../generator/types.js';
import { collectFiles } from '../../../cli/analyze/collect-files.js';
import { parseCollectedFiles } from '../../../cli/analyze/parse-files.js';
import { correlateAll, sortIncidents } from '../../../services/correlator/core/index.js';
import { evaluateRulesOffline } from '../../../services/alerter/core/evaluate-offline.js';
import { loadRules } from '../../../services/alerter/adapters/rules-fs.js';
import type { Alert } from '../../../shared/schema/alert.js';
import type { Incident } from '../../../shared/schema/incident.js';
import type { DeadLetter } from '../../../shared/schema/deadletter.js';
import { suiteRulesDir } from './rules.js';

// One batch of input for a fault test: a seeded generated collection (injected hangs, optionally hostile
// records) whose hypervisors carry a suffix unique to the batch, so a batch's events, incidents and alerts are
// told apart from every other run's in the shared Kafka topics and Elasticsearch indices. What the pipeline
// must end with is computed offline over the same files, with the same cores `hangwatch analyze` runs.

export interface BatchOptions {
  readonly tag: string;
  readonly seed: number;
  /** UTC day of the generated window, YYYY-MM-DD (batches fed to one alerter must go forward in time). */
  readonly day: string;
  readonly hosts?: number;
  readonly vms?: number;
  readonly hangs?: number;
  /** Pads each libvirtd.log to this many lines, so that a fault can strike while the batch streams. */
  readonly libvirtdLines?: number;
  readonly hostile?: boolean;
}

export interface Expectation {
  /** event.id of every event the batch must leave in hangwatch-events-*. */
  readonly eventIds: ReadonlySet<string>;
  /** `host|path|offset` of every record that must end in hangwatch-deadletter. */
  readonly deadletterKeys: ReadonlySet<string>;
  readonly incidents: readonly Incident[];
  /** The last state of each alert episode. */
  readonly alerts: readonly Alert[];
}

export interface Batch {
  readonly tag: string;
  readonly dir: string;
  readonly hosts: readonly { readonly name: string; readonly dir: string }[];
  readonly truth: Truth;
  readonly referenceTime: Date;
  readonly expected: Expectation;
}

export async function generateBatch(root: string, options: BatchOptions): Promise<Batch> {
  const dir = join(root, options.tag);
  await rm(dir, { recursive: true, force: true });
  const generator: GeneratorOptions = {
    ...DEFAULT_OPTIONS,
    seed: options.seed,
    hosts: options.hosts ?? 2,
    vmsPerHost: options.vms ?? 3,
    hangs: options.hangs ?? 5,
    startMs: Date.parse(`${options.day}T00:00:00Z`),
    hostile: options.hostile ?? false,
    ...(options.libvirtdLines ? { libvirtdLines: options.libvirtdLines } : {}),
  };
  const truth = generateCorpus(dir, generator);
  const referenceTime = new Date(truth.referenceTime);
  const hosts = await renameHosts(dir, truth, options.tag, referenceTime);
  return { tag: options.tag, dir, hosts, truth, referenceTime, expected: await expect(hosts.map((h) => h.dir)) };
}

/** `sc1` becomes `sc1<tag>` in every file (hostname lines, syslog host fields) and in the folder names; guests' computer names get the tag too. */
async function renameHosts(dir: string, truth: Truth, tag: string, mtime: Date): Promise<Array<{ name: string; dir: string }>> {
  const names = truth.hosts.map((h) => h.name);
  const pattern = new RegExp(`\\b(${names.map((n) => n.replace(/[^a-z0-9]/gi, '')).join('|')})\\b`, 'g');
  const hosts: Array<{ name: string; dir: string }> = [];
  for (const name of names) {
    const from = join(dir, name);
    const to = join(dir, `${name}${tag}`);
    await rename(from, to);
    await rewriteTree(to, pattern, tag, mtime);
    hosts.push({ name: `${name}${tag}`, dir: to });
  }
  return hosts;
}

async function rewriteTree(dir: string, pattern: RegExp, tag: string, mtime: Date): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await rewriteTree(path, pattern, tag, mtime);
      continue;
    }
    // latin1 round-trips every byte: hostile records (invalid UTF-8, NUL) stay exactly as generated.
    const text = (await readFile(path)).toString('latin1');
    // Windows computer names too: a Windows record's event.id is computer + channel + record id (DESIGN.md 4).
    const renamed = text.replace(pattern, `$1${tag}`).replace(/\b(WIN7-VM\d+)\b/g, `$1${tag.toUpperCase()}`);
    await writeFile(path, Buffer.from(renamed, 'latin1'));
    // Syslog lines carry no year: it comes from the file's mtime (DESIGN.md section 6), as the generator set it.
    await utimes(path, mtime, mtime);
  }
}

/** The end state an undisturbed pipeline reaches: `hangwatch analyze` over the same files. */
export async function expect(dirs: readonly string[]): Promise<Expectation> {
  const files = await collectFiles(dirs);
  const quiet = { advance: () => undefined, done: () => undefined };
  const parsed = await parseCollectedFiles(files, { maxRecordBytes: 512 * 1024, validate: false }, new Date().toISOString(), 'unknown-host', quiet);
  const { incidents, events } = correlateAll(parsed.events, {});
  const alerts = evaluateRulesOffline(incidents, loadRules(suiteRulesDir()));
  const lastAlerts = new Map<string, Alert>();
  for (const a of alerts) lastAlerts.set(a.alert.id, a);
  return {
    eventIds: new Set(events.map((e) => e.event.id)),
    deadletterKeys: new Set(parsed.deadletters.map(deadletterKey)),
    incidents: sortIncidents(incidents),
    alerts: [...lastAlerts.values()],
  };
}

export function deadletterKey(d: Pick<DeadLetter, 'host' | 'log'>): string {
  return `${d.host?.name ?? ''}|${d.log?.file?.path ?? ''}|${d.log?.offset ?? ''}`;
}

export function countRecords(e: Expectation): number {
  return e.eventIds.size + e.deadletterKeys.size;
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
