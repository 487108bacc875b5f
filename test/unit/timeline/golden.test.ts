import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isoInZone, parseZone } from '../../../shared/time.js';
import { DirSource } from '../../../services/timeline/adapters/dir-source.js';
import { exportTimeline } from '../../../services/timeline/core/export-timeline.js';
import type { TimelineFormat } from '../../../services/timeline/core/render.js';
import { TIMESKETCH_COLUMNS } from '../../../services/timeline/core/timesketch-record.js';
import { collect, GENERATED_MS, GOLDEN_DIR, parseCsv, readSeedEvents, readSeedIncident, SEED_DIR } from './seed-fixture.js';

// Golden files for the seed incident in md, csv and jsonl, in Asia/Shanghai and UTC (UPDATE_GOLDEN=1 rewrites
// them). CSV and JSONL are also parsed back and compared field by field with the fixture, so a formatting change
// cannot hide a lost record or field.

const ZONES = ['Asia/Shanghai', 'UTC'] as const;
const FORMATS: TimelineFormat[] = ['md', 'csv', 'jsonl'];

async function render(format: TimelineFormat, tz: string): Promise<string> {
  const incident = readSeedIncident();
  const result = await exportTimeline(new DirSource(SEED_DIR), {
    scope: { kind: 'incident', incidentId: incident.incident.id },
    format,
    zone: parseZone(tz),
    generatedMs: GENERATED_MS,
    sourceLabel: 'seed-analysis',
  });
  return collect(result.chunks);
}

/** What the incident's timeline must hold, computed here from the fixture by the rule of issue 8. */
function expectedEvents() {
  const incident = readSeedIncident();
  const from = Date.parse(incident.incident.window.gte);
  const to = Date.parse(incident.incident.window.lte);
  return readSeedEvents().filter((e) => {
    const ms = Date.parse(e['@timestamp']);
    if (ms < from || ms > to || e.libvirt?.hypervisor !== incident.libvirt.hypervisor) return false;
    const domain = e.libvirt?.domain?.name;
    return domain === undefined || domain === incident.libvirt.domain.name;
  });
}

for (const tz of ZONES) {
  for (const format of FORMATS) {
    test(`golden ${format} in ${tz}`, async () => {
      const text = await render(format, tz);
      const path = join(GOLDEN_DIR, `seed-incident.${tz.replace('/', '_')}.${format}`);
      if (process.env.UPDATE_GOLDEN === '1') {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(path, text);
      }
      assert.ok(existsSync(path), `${path} is missing: run with UPDATE_GOLDEN=1 and review the diff`);
      assert.equal(text, readFileSync(path, 'utf8'));
    });
  }

  test(`csv and jsonl round-trip every record and field (${tz})`, async () => {
    const zone = parseZone(tz);
    const incident = readSeedIncident();
    const expected = expectedEvents();
    assert.ok(expected.length > 10, 'fixture has host and guest events in the window');
    const [csvText, jsonlText] = await Promise.all([render('csv', tz), render('jsonl', tz)]);
    const [head, ...csvRows] = parseCsv(csvText);
    assert.deepEqual(head, [...TIMESKETCH_COLUMNS]);
    const fromCsv = csvRows.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i]!])));
    const fromJsonl = jsonlText
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(fromCsv.length, expected.length + 1, 'every event plus the hang row');
    assert.equal(fromJsonl.length, expected.length + 1);

    const hang = fromJsonl.find((r) => r.timestamp_desc === 'Hang (estimated)');
    assert.ok(hang, 'the hang is a row');
    assert.equal(hang.datetime, isoInZone(Date.parse(incident['@timestamp']), zone));
    assert.equal(hang['incident.id'], incident.incident.id);

    for (const event of expected) {
      const ms = Date.parse(event['@timestamp']);
      const j = fromJsonl.find((r) => r['event.id'] === event.event.id);
      const c = fromCsv.find((r) => r['event.id'] === event.event.id);
      assert.ok(j && c, `${event.event.id} (${event.event.action}) is exported`);
      assert.equal(j.message, event.message);
      // CSV neutralizes formula-looking cells with a leading quote; nothing else may differ.
      assert.equal(c.message!.replace(/^'(?=[=+\-@\t\r])/, ''), event.message);
      for (const r of [j, c]) {
        assert.equal(r.datetime, isoInZone(ms, zone));
        assert.equal(Date.parse(String(r.datetime)), ms, 'datetime is the same instant');
        assert.equal(String(r.timestamp), String(ms * 1000), 'timestamp in microseconds');
        assert.equal(r.timestamp_desc, 'Event Recorded');
        assert.equal(r['event.dataset'], event.event.dataset);
        assert.equal(r['event.action'], event.event.action);
        assert.equal(r['libvirt.domain.name'], event.libvirt?.domain?.name ?? '');
        assert.equal(r['host.name'], event.host?.name ?? '');
        assert.equal(r['incident.id'], incident.incident.id);
      }
    }
    const times = fromJsonl.map((r) => Number(r.timestamp));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'rows are in time order');
  });
}

test('the Markdown header carries the bugcheck, its decoded arguments, the diagnosis and the configuration', async () => {
  const md = await render('md', 'Asia/Shanghai');
  const incident = readSeedIncident();
  assert.match(md, new RegExp(`Incident ${incident.incident.id}`));
  assert.match(md, /0x00000101 CLOCK\\_WATCHDOG\\_TIMEOUT \(0x61, 0x0, 0x807a3120, 0x1\): timeout\\_ticks=97, prcb=0x807a3120, processor=1/);
  assert.match(md, /\*\*missing-hyperv-enlightenments\*\* \(confidence 0\.95\)/);
  assert.match(md, /<relaxed state='on'\/>/, 'remediation XML sits verbatim in a code block');
  assert.match(md, /## Configuration \(seen after the hang\)/);
  assert.match(md, /\| Time \(Asia\/Shanghai\) \| Time \(UTC\) \|/);
  assert.match(md, /\| 2017-03-15T13:11:54\.777\+08:00 \| 2017-03-15T05:11:54\.777Z \| hangwatch\.incident \|/);
});

test('an incident timeline leaves out other domains and events outside the window', async () => {
  const jsonl = await render('jsonl', 'UTC');
  const incident = readSeedIncident();
  const rows = jsonl
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string>);
  const domains = new Set(rows.map((r) => r['libvirt.domain.name']));
  assert.deepEqual([...domains].sort(), ['', incident.libvirt.domain.name]);
  const outside = readSeedEvents().filter((e) => Date.parse(e['@timestamp']) < Date.parse(incident.incident.window.gte));
  assert.ok(outside.length > 0, 'fixture has an event before the window');
  for (const e of outside) assert.ok(!rows.some((r) => r['event.id'] === e.event.id));
});
