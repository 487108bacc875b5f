import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HangwatchError } from '../../../shared/errors.js';
import { alertId } from '../../../shared/identity.js';
import type { Alert } from '../../../shared/schema/alert.js';
import { parseZone } from '../../../shared/time.js';
import { DirSource } from '../../../services/timeline/adapters/dir-source.js';
import { exportTimeline } from '../../../services/timeline/core/export-timeline.js';
import { buildTimelineUrl } from '../../../services/timeline/core/timeline-url.js';
import { collect, readSeedIncident, SEED_DIR } from './seed-fixture.js';

function copySeed(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hw-seed-'));
  for (const f of ['events.ndjson', 'incidents.ndjson']) copyFileSync(join(SEED_DIR, f), join(dir, f));
  return dir;
}

async function jsonl(dir: string): Promise<Record<string, string>[]> {
  const result = await exportTimeline(new DirSource(dir), { scope: { kind: 'incident', incidentId: readSeedIncident().incident.id }, format: 'jsonl', zone: parseZone('UTC'), generatedMs: 0, sourceLabel: 't' });
  return (await collect(result.chunks))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string>);
}

test('alerts.ndjson: the alert state changes of the incident become rows, others do not', async () => {
  const dir = copySeed();
  const incident = readSeedIncident();
  const alert = (state: Alert['alert']['state'], ts: string, incidents: string[]): Alert => ({
    '@timestamp': ts,
    event: { kind: 'alert' },
    rule: { id: 'watchdog-timeout', name: 'Watchdog timeout on a Windows guest' },
    alert: { id: alertId('watchdog-timeout', 'vm113', incidents[0]!), key: 'vm113', state, count: 1, first_seen: ts, last_seen: ts, incidents },
    message: `vm113 on sc7: ${state}`,
  });
  writeFileSync(join(dir, 'alerts.ndjson'), [alert('open', '2017-03-15T05:14:10.000Z', [incident.incident.id]), alert('open', '2017-03-15T05:15:00.000Z', ['another'])].map((a) => JSON.stringify(a)).join('\n') + '\n');
  const rows = await jsonl(dir);
  const alerts = rows.filter((r) => r['event.dataset'] === 'hangwatch.alert');
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]!.timestamp_desc, 'Alert State Change (open)');
  assert.match(alerts[0]!.message!, /Watchdog timeout on a Windows guest: vm113 on sc7: open/);
});

test('a damaged analyze folder fails loudly with the line, instead of exporting a timeline with holes', async () => {
  const dir = copySeed();
  appendFileSync(join(dir, 'events.ndjson'), '{"@timestamp": "2017-03-15T05:20:00.000Z", trunc\n');
  await assert.rejects(jsonl(dir), (e: unknown) => e instanceof HangwatchError && e.code === 'HW_JSON_MALFORMED' && /events\.ndjson:\d+/.test(e.message));
  const empty = mkdtempSync(join(tmpdir(), 'hw-empty-'));
  await assert.rejects(jsonl(empty), (e: unknown) => e instanceof HangwatchError && e.code === 'HW_INPUT_UNREADABLE');
});

test('timeline links point at GET /timeline of the service', () => {
  assert.equal(buildTimelineUrl('http://timeline:8790', 'abc', { format: 'html', tz: 'Asia/Shanghai' }), 'http://timeline:8790/timeline?incident=abc&format=html&tz=Asia%2FShanghai');
  assert.equal(buildTimelineUrl('https://ops.example/hw/', 'a b'), 'https://ops.example/hw/timeline?incident=a+b');
});
