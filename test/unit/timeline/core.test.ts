import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HangwatchError } from '../../../shared/errors.js';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { parseZone } from '../../../shared/time.js';
import { buildEventsQuery, EVENTS_SORT } from '../../../services/timeline/core/es-query.js';
import { resolveScope } from '../../../services/timeline/core/export-timeline.js';
import { SwimlaneChart } from '../../../services/timeline/core/html/swimlane.js';
import { buildTicks } from '../../../services/timeline/core/html/time-axis.js';
import { mergeRows } from '../../../services/timeline/core/merge-rows.js';
import { compareEvents } from '../../../services/timeline/core/order.js';
import { buildHostFilter, buildIncidentFilter, matchesFilter } from '../../../services/timeline/core/scope.js';
import { buildEventRow, buildHangRow, type TimelineRow } from '../../../services/timeline/core/timeline-row.js';
import { readSeedEvents, readSeedIncident } from './seed-fixture.js';

function event(ts: string, over: { id?: string; domain?: string; hypervisor?: string; host?: string; offset?: number; dataset?: EcsEvent['event']['dataset'] } = {}): EcsEvent {
  return {
    '@timestamp': ts,
    event: { id: over.id ?? `e-${ts}`, dataset: over.dataset ?? 'libvirt.daemon', kind: 'event', action: 'other' },
    ...(over.offset !== undefined ? { log: { offset: over.offset } } : {}),
    host: { name: over.host ?? over.hypervisor ?? 'sc7' },
    libvirt: { ...(over.hypervisor !== undefined ? { hypervisor: over.hypervisor } : {}), ...(over.domain ? { domain: { name: over.domain } } : {}) },
    message: 'm',
    hangwatch: { time: { basis: 'explicit' }, parse: { grammar: 't' } },
  };
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const i of items) out.push(i);
  return out;
}

test('an incident filter takes its domain on its hypervisor and that hypervisor host-wide events, in its window', () => {
  const incident = readSeedIncident();
  const filter = buildIncidentFilter(incident);
  const inside = new Date(Date.parse(incident['@timestamp']) + 60_000).toISOString();
  assert.equal(matchesFilter(event(inside, { hypervisor: 'sc7', domain: 'vm113' }), filter), true);
  assert.equal(matchesFilter(event(inside, { hypervisor: 'sc7' }), filter), true, 'host-wide event of the hypervisor');
  assert.equal(matchesFilter(event(inside, { hypervisor: 'sc7', domain: 'vm105' }), filter), false, 'another domain');
  assert.equal(matchesFilter(event(inside, { hypervisor: 'sc8', domain: 'vm113' }), filter), false, 'same name on another hypervisor');
  assert.equal(matchesFilter(event(inside, { hypervisor: 'sc8' }), filter), false, 'another hypervisor');
  assert.equal(matchesFilter(event(incident.incident.window.gte, { hypervisor: 'sc7' }), filter), true, 'bounds are inclusive');
  assert.equal(matchesFilter(event(incident.incident.window.lte, { hypervisor: 'sc7' }), filter), true);
  assert.equal(matchesFilter(event('2017-03-14T00:00:00.000Z', { hypervisor: 'sc7' }), filter), false);
});

test('a host filter takes everything of the hypervisor, guests included', () => {
  const filter = buildHostFilter('sc7', 0, Date.UTC(2030, 0));
  assert.equal(matchesFilter(event('2017-03-15T00:00:00.000Z', { hypervisor: 'sc7', domain: 'vm1', host: 'WIN-PC' }), filter), true);
  assert.equal(matchesFilter(event('2017-03-15T00:00:00.000Z', { hypervisor: 'sc8' }), filter), false);
});

test('the Elasticsearch query mirrors the filter and the sort mirrors compareEvents', () => {
  const incident = readSeedIncident();
  const query = buildEventsQuery(buildIncidentFilter(incident)) as { bool: { filter: unknown[]; should: unknown[]; minimum_should_match: number } };
  assert.deepEqual(query.bool.filter, [{ range: { '@timestamp': { gte: incident.incident.window.gte, lte: incident.incident.window.lte } } }]);
  assert.deepEqual(query.bool.should, [
    { bool: { filter: [{ term: { 'libvirt.domain.name': 'vm113' } }, { terms: { 'libvirt.hypervisor': ['sc7'] } }] } },
    { bool: { filter: [{ terms: { 'libvirt.hypervisor': ['sc7'] } }], must_not: [{ exists: { field: 'libvirt.domain.name' } }] } },
  ]);
  assert.equal(query.bool.minimum_should_match, 1);
  assert.deepEqual(
    EVENTS_SORT.map((s) => Object.keys(s)[0]),
    ['@timestamp', 'log.offset', 'event.id'],
  );
  const a = event('2017-03-15T06:03:48.180Z', { id: 'zz', offset: 10 });
  const b = event('2017-03-15T06:03:48.180Z', { id: 'aa', offset: 20 });
  const c = event('2017-03-15T06:03:48.180Z', { id: 'bb' });
  assert.deepEqual([c, b, a].sort(compareEvents).map((e) => e.event.id), ['zz', 'aa', 'bb'], 'offset first, missing offsets last, then id');
});

test('rows merge the hang in before the events of its millisecond, and an unordered source stops the export', async () => {
  const incident = readSeedIncident();
  const hangTs = incident['@timestamp'];
  const events = [event('2017-03-15T05:00:00.000Z', { hypervisor: 'sc7' }), event(hangTs, { hypervisor: 'sc7', id: 'same-ms' }), event('2017-03-15T06:00:00.000Z', { hypervisor: 'sc7' })];
  const rows = await all(mergeRows(from(events), [buildHangRow(incident)], incident.incident.id));
  assert.deepEqual(rows.map((r) => r.kind), ['event', 'hang', 'event', 'event']);
  assert.equal(rows[2]!.eventId, 'same-ms');
  assert.ok(rows.every((r) => r.incidentId === incident.incident.id));
  await assert.rejects(all(mergeRows(from([events[2]!, events[0]!]), [])), (e: unknown) => e instanceof HangwatchError && /out of order/.test(e.message));
});

test('resolveScope wants exactly one subject, and a range for domain and host', () => {
  assert.deepEqual(resolveScope({ incident: 'x' }), { kind: 'incident', incidentId: 'x' });
  assert.equal(typeof resolveScope({}), 'string');
  assert.equal(typeof resolveScope({ incident: 'x', domain: 'y' }), 'string');
  assert.equal(typeof resolveScope({ domain: 'y' }), 'string');
  assert.equal(typeof resolveScope({ host: 'sc7', fromMs: 2, toMs: 1 }), 'string');
  assert.deepEqual(resolveScope({ host: 'sc7', fromMs: 1, toMs: 2 }), { kind: 'host', host: 'sc7', fromMs: 1, toMs: 2 });
});

test('the swimlane chart puts each record in its lane, marks the hang, and degrades to density past its marker cap', () => {
  const incident = readSeedIncident();
  const { gte, lte } = incident.incident.window;
  const chart = new SwimlaneChart(Date.parse(gte), Date.parse(lte), parseZone('Asia/Shanghai'));
  const rows: TimelineRow[] = [buildHangRow(incident), ...readSeedEvents().map((e) => buildEventRow(e))];
  rows.forEach((r, i) => chart.add(r, i + 1));
  const svg = chart.renderSvg();
  for (const lane of ['hypervisor', 'qemu', 'guest', 'kernel']) assert.match(svg, new RegExp(`data-lane="${lane}"`));
  assert.match(svg, /id="hang-marker"/);
  assert.match(svg, /hang \(estimated\) 13:11:54\.777/);
  assert.match(svg, /<a class="m sev-critical" href="#r-\d+"><circle [^>]+><title>2017-03-15T13:11:54\.777\+08:00/);

  const big = new SwimlaneChart(0, 1_000_000, parseZone('UTC'));
  for (let i = 0; i < 5_000; i++) big.add({ ...buildEventRow(event(new Date(i * 200).toISOString(), { hypervisor: 'h' })) }, i);
  const bigSvg = big.renderSvg();
  assert.match(bigSvg, /class="density"/);
  assert.equal((bigSvg.match(/<circle/g) ?? []).length, 0, 'no marker past the cap: the lane is a density strip');
  assert.equal(big.laneCounts().hypervisor, 5_000, 'every record is still counted');
});

test('axis ticks fall on round local times of the zone', () => {
  const from = Date.parse('2017-03-15T04:11:54.777Z');
  const to = Date.parse('2017-03-16T02:55:46.227Z');
  const ticks = buildTicks(from, to, parseZone('Asia/Shanghai'));
  assert.ok(ticks.length >= 6 && ticks.length <= 12);
  assert.equal(ticks[0]!.label, '03-15 14:00');
  assert.ok(ticks.every((t) => t.ms >= from && t.ms <= to));
  const fixed = buildTicks(from, from + 60_000, parseZone('+05:30'));
  assert.deepEqual(fixed.slice(0, 2).map((t) => t.label), ['03-15 09:41:55', '09:42:00'], 'five-second steps at +05:30');
});
