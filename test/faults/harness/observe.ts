import type { Client } from '@elastic/elasticsearch';
import type { Alert } from '../../../shared/schema/alert.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { INDICES } from '../../../shared/topics.js';
import { deadletterKey, type Batch } from './corpus.js';

// What Elasticsearch holds of one batch, compared with what the offline analysis says it must hold: every
// record exactly once, either as an event (by event.id, across all hangwatch-events-* indices) or as a dead
// letter (by its source host + path + offset), and the same incidents and alerts.

export interface Observation {
  readonly recordsIn: number;
  readonly indexed: number;
  readonly deadletters: number;
  /** Documents beyond the first for one record: an event id in two indices, a dead letter twice, a record both ways. */
  readonly duplicates: number;
  readonly lost: number;
  /** Documents of the batch the offline analysis does not expect (wrong ids, extra dead letters). */
  readonly unexpected: number;
  readonly incidentsMissing: readonly string[];
  readonly incidentsDiffering: readonly string[];
  readonly incidentsExtra: readonly string[];
  readonly alertsMissing: readonly string[];
  /** Same episode, other alert id or incidents (reported, not failed: see compareAlerts). */
  readonly alertsDiffering: readonly string[];
  readonly alertsExtra: readonly string[];
  /** Episodes closed because every incident they counted was withdrawn (merged away): reported, not failed. */
  readonly alertsWithdrawn: readonly string[];
  readonly samples: readonly string[];
}

export function isComplete(o: Observation): boolean {
  return (
    o.lost === 0 &&
    o.duplicates === 0 &&
    o.unexpected === 0 &&
    o.incidentsMissing.length + o.incidentsDiffering.length + o.incidentsExtra.length === 0 &&
    o.alertsMissing.length + o.alertsExtra.length === 0
  );
}

function recordsAndIncidentsComplete(o: Observation): boolean {
  return isComplete({ ...o, alertsMissing: [], alertsExtra: [] });
}

export function describe(o: Observation): string {
  const list = (name: string, ids: readonly string[]): string => (ids.length ? ` ${name}=[${ids.slice(0, 5).join(',')}${ids.length > 5 ? ',...' : ''}]` : '');
  return (
    `in=${o.recordsIn} indexed=${o.indexed} dead=${o.deadletters} dup=${o.duplicates} lost=${o.lost} unexpected=${o.unexpected}` +
    list('incidentsMissing', o.incidentsMissing) +
    list('incidentsDiffering', o.incidentsDiffering) +
    list('incidentsExtra', o.incidentsExtra) +
    list('alertsMissing', o.alertsMissing) +
    list('alertsDiffering', o.alertsDiffering) +
    list('alertsExtra', o.alertsExtra) +
    list('alertsWithdrawn', o.alertsWithdrawn) +
    (o.samples.length ? ` samples: ${o.samples.slice(0, 5).join(' | ')}` : '')
  );
}

interface Hit<T> {
  readonly _id: string;
  readonly _index: string;
  readonly _source?: T;
}

/** Every document of the indices matching a query (PIT + search_after: batches exceed the 10k window). */
async function searchAll<T>(es: Client, index: string, query: Record<string, unknown>, source: string[] | false): Promise<Hit<T>[]> {
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const pit = await es.openPointInTime({ index, keep_alive: '1m', ignore_unavailable: true });
  const out: Hit<T>[] = [];
  try {
    let after: unknown[] | undefined;
    for (;;) {
      const r = await es.search<T>({
        size: 5000,
        query,
        _source: source,
        pit: { id: pit.id, keep_alive: '1m' },
        sort: [{ _shard_doc: 'asc' }],
        ...(after ? { search_after: after as never } : {}),
      });
      const hits = r.hits.hits;
      for (const h of hits) out.push({ _id: h._id as string, _index: h._index, ...(h._source !== undefined ? { _source: h._source } : {}) });
      if (hits.length < 5000) break;
      after = hits[hits.length - 1]?.sort as unknown[];
    }
  } finally {
    await es.closePointInTime({ id: pit.id }).catch(() => undefined);
  }
  return out;
}

async function indexExists(es: Client, index: string): Promise<boolean> {
  try {
    return await es.indices.exists({ index, allow_no_indices: false, ignore_unavailable: true });
  } catch {
    return false;
  }
}

export async function observeBatch(es: Client, batch: Batch): Promise<Observation> {
  const e = batch.expected;
  const byPath = { prefix: { 'log.file.path': `${batch.dir}/` } };
  const events = (await indexExists(es, INDICES.eventsPattern)) ? await searchAll<never>(es, INDICES.eventsPattern, byPath, false) : [];
  const letters = (await indexExists(es, INDICES.deadletter))
    ? await searchAll<{ host?: { name?: string }; log?: { file?: { path?: string }; offset?: number }; error?: { code?: string } }>(es, INDICES.deadletter, byPath, ['host.name', 'log.file.path', 'log.offset', 'error.code'])
    : [];
  const samples: string[] = [];
  const eventCounts = new Map<string, number>();
  for (const h of events) eventCounts.set(h._id, (eventCounts.get(h._id) ?? 0) + 1);
  const letterCounts = new Map<string, number>();
  for (const h of letters) {
    const key = deadletterKey(h._source ?? {});
    letterCounts.set(key, (letterCounts.get(key) ?? 0) + 1);
  }
  let duplicates = 0;
  let unexpected = 0;
  let indexed = 0;
  let deadletters = 0;
  for (const [id, n] of eventCounts) {
    duplicates += n - 1;
    if (e.eventIds.has(id)) indexed++;
    else {
      unexpected++;
      if (samples.length < 5) samples.push(`unexpected event ${id}`);
    }
  }
  for (const [key, n] of letterCounts) {
    duplicates += n - 1;
    if (e.deadletterKeys.has(key)) deadletters++;
    else {
      unexpected++;
      const code = letters.find((h) => deadletterKey(h._source ?? {}) === key)?._source?.error?.code;
      if (samples.length < 5) samples.push(`unexpected dead letter ${key} ${code ?? ''}`);
    }
  }
  let lost = 0;
  for (const id of e.eventIds) if (!eventCounts.has(id)) lost++;
  for (const key of e.deadletterKeys) if (!letterCounts.has(key)) lost++;
  const incidents = await compareIncidents(es, batch);
  const alerts = await compareAlerts(es, batch);
  return { recordsIn: e.eventIds.size + e.deadletterKeys.size, indexed, deadletters, duplicates, lost, unexpected, ...incidents, ...alerts, samples };
}

/** The parts of an incident that must not depend on how the pipeline was disturbed. */
function incidentShape(i: Incident): string {
  return JSON.stringify({
    kind: i.incident.kind,
    at: i['@timestamp'],
    domain: i.libvirt.domain.name,
    hypervisor: i.libvirt.hypervisor,
    bugcheck: i.windows?.bugcheck?.code,
    diagnosis: i.incident.diagnosis.map((d) => d.code),
    evidence: i.incident.evidence.map((v) => v.event.id).sort(),
  });
}

async function compareIncidents(es: Client, batch: Batch): Promise<Pick<Observation, 'incidentsMissing' | 'incidentsDiffering' | 'incidentsExtra'>> {
  const hosts = batch.hosts.map((h) => h.name);
  const found = (await indexExists(es, INDICES.incidents)) ? await searchAll<Incident>(es, INDICES.incidents, { terms: { 'libvirt.hypervisor': hosts } }, true as never) : [];
  const actual = new Map(found.map((h) => [h._id, h._source as Incident]));
  const expected = new Map(batch.expected.incidents.map((i) => [i.incident.id, i]));
  const missing = [...expected.keys()].filter((id) => !actual.has(id));
  const extra = [...actual.keys()].filter((id) => !expected.has(id));
  const differing = [...expected].filter(([id, i]) => actual.has(id) && incidentShape(actual.get(id) as Incident) !== incidentShape(i)).map(([id]) => id);
  return { incidentsMissing: missing, incidentsDiffering: differing, incidentsExtra: extra };
}

/** An alert episode by rule and key: what must not depend on arrival order. */
function episodeOf(a: Alert): string {
  return `${a.rule.id} ${a.alert.key}`;
}

/** An episode the alerter closed because every incident it counted was withdrawn (tombstoned, merged away). */
function isWithdrawn(a: Alert): boolean {
  return a.alert.state === 'closed' && a.alert.incidents.length === 0;
}

/**
 * Episodes (rule + key) must be those of the offline analysis. Their ids and incident lists are compared too
 * but only reported: an episode opened by an incident the correlator later merged into another (tombstone)
 * keeps the id derived from that first incident when the survivor joins it before the tombstone arrives,
 * where the offline run only ever sees the survivor. When the tombstone empties the episode first, the alerter
 * closes it as withdrawn and the survivor opens the offline episode: both documents are in the index.
 */
async function compareAlerts(es: Client, batch: Batch): Promise<Pick<Observation, 'alertsMissing' | 'alertsDiffering' | 'alertsExtra' | 'alertsWithdrawn'>> {
  const byHost = { bool: { should: batch.hosts.map((h) => ({ prefix: { 'alert.key': h.name } })), minimum_should_match: 1 } };
  const found = (await indexExists(es, INDICES.alerts)) ? await searchAll<Alert>(es, INDICES.alerts, byHost, true as never) : [];
  const withdrawn = found.map((h) => h._source as Alert).filter(isWithdrawn);
  const actual = new Map<string, Alert[]>();
  for (const h of found) {
    const a = h._source as Alert;
    if (isWithdrawn(a)) continue;
    actual.set(episodeOf(a), [...(actual.get(episodeOf(a)) ?? []), a]);
  }
  const expected = new Map(batch.expected.alerts.map((a) => [episodeOf(a), a]));
  const same = (a: Alert, b: Alert): boolean => a.alert.id === b.alert.id && JSON.stringify([...a.alert.incidents].sort()) === JSON.stringify([...b.alert.incidents].sort());
  const show = (a: Alert | undefined): string => `${a?.alert.id}[${a?.alert.incidents.join(',')}]`;
  return {
    alertsMissing: [...expected.keys()].filter((k) => !actual.has(k)),
    alertsExtra: [...actual.keys()].filter((k) => !expected.has(k)),
    alertsDiffering: [...expected]
      .filter(([k, a]) => actual.has(k) && !(actual.get(k) ?? []).some((x) => same(x, a)))
      .map(([k, a]) => `${k} expected ${show(a)} got ${(actual.get(k) ?? []).map(show).join(' ')}`),
    alertsWithdrawn: withdrawn.map((a) => `${episodeOf(a)} ${a.alert.id}`),
  };
}

export interface WaitResult {
  readonly observation: Observation;
  readonly converged: boolean;
  /** Milliseconds from `since` until the batch was complete in Elasticsearch. */
  readonly elapsedMs: number;
}

/** Polls until the batch is complete or the timeout passes; fails fast when a service died. */
export async function waitForBatch(es: Client, batch: Batch, options: { timeoutMs: number; since?: number; crashed?: () => string[] }): Promise<WaitResult> {
  const since = options.since ?? Date.now();
  const deadline = Date.now() + options.timeoutMs;
  let observation: Observation | undefined;
  let alertsOnlySince: number | undefined;
  while (Date.now() < deadline) {
    const dead = options.crashed?.() ?? [];
    if (dead.length > 0) throw new Error(`service(s) exited unexpectedly: ${dead.join(', ')}`);
    // Counting is cheap; the full comparison reads every document of the batch (and refreshes the indices
    // first), so only once counts add up, and not again for a few seconds when it was not complete: on a
    // loaded machine that load slowed down the very indexing it waits for.
    let pause = 1000;
    if (await countsReached(es, batch)) {
      observation = await observeSafely(es, batch);
      if (observation && isComplete(observation)) break;
      pause = 3000;
      // Records and incidents complete, alert episodes not: alerts follow within seconds, so a difference that
      // lasts is a result, not a delay.
      if (observation && recordsAndIncidentsComplete(observation)) {
        alertsOnlySince ??= Date.now();
        if (Date.now() - alertsOnlySince > 30_000) break;
      } else alertsOnlySince = undefined;
    }
    await new Promise((r) => setTimeout(r, pause));
  }
  const final = observation && isComplete(observation) ? observation : await observeBatch(es, batch);
  return { observation: final, converged: isComplete(final), elapsedMs: Date.now() - since };
}

async function countsReached(es: Client, batch: Batch): Promise<boolean> {
  // No explicit refresh (a refresh of every events index each second loaded Elasticsearch): the indices
  // refresh every second by themselves, and a count on a search-idle shard waits for its refresh.
  const count = async (index: string, query: Record<string, unknown>): Promise<number> =>
    (await es.count({ index, query, ignore_unavailable: true, allow_no_indices: true })).count;
  try {
    const byPath = { prefix: { 'log.file.path': `${batch.dir}/` } };
    const e = batch.expected;
    const [events, letters, incidents] = await Promise.all([
      count(INDICES.eventsPattern, byPath),
      count(INDICES.deadletter, byPath),
      count(INDICES.incidents, { terms: { 'libvirt.hypervisor': batch.hosts.map((h) => h.name) } }),
    ]);
    return events >= e.eventIds.size && letters >= e.deadletterKeys.size && incidents >= e.incidents.length;
  } catch {
    return false; // Elasticsearch down or restarting: keep waiting
  }
}

async function observeSafely(es: Client, batch: Batch): Promise<Observation | undefined> {
  try {
    return await observeBatch(es, batch);
  } catch {
    return undefined;
  }
}
