import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, test } from 'node:test';
import type { EcsEvent } from '../../shared/schema/event.js';
import { parseZone } from '../../shared/time.js';
import { DirSource } from '../../services/timeline/adapters/dir-source.js';
import { exportTimeline } from '../../services/timeline/core/export-timeline.js';
import { buildHeader } from '../../services/timeline/core/header.js';
import { mergeRows } from '../../services/timeline/core/merge-rows.js';
import { renderTimeline } from '../../services/timeline/core/render.js';
import { buildIncidentFilter } from '../../services/timeline/core/scope.js';
import { buildHangRow } from '../../services/timeline/core/timeline-row.js';
import { buildHostileEvents } from '../unit/timeline/hostile-content.js';
import { collect, GENERATED_MS, readSeedIncident, SEED_DIR } from '../unit/timeline/seed-fixture.js';
import { ensureChromium, pngSize, runChromium } from './chromium.js';

// The HTML export in a real headless Chromium: the swimlanes and the hang marker are in the rendered DOM, a
// screenshot and a printed PDF are produced (under out/, gitignored), and payloads in log messages that would
// change document.title or mark <body> if they ran did not run.

const OUT = resolve(import.meta.dirname, '..', '..', 'out', 'timeline-browser');
const TITLE = 'Postmortem timeline: Incident';

before(() => {
  ensureChromium();
  mkdirSync(OUT, { recursive: true });
});

async function writeSeedHtml(): Promise<string> {
  const incident = readSeedIncident();
  const result = await exportTimeline(new DirSource(SEED_DIR), {
    scope: { kind: 'incident', incidentId: incident.incident.id },
    format: 'html',
    zone: parseZone('Asia/Shanghai'),
    generatedMs: GENERATED_MS,
    sourceLabel: 'seed-analysis',
  });
  const path = join(OUT, 'seed.html');
  writeFileSync(path, await collect(result.chunks));
  return path;
}

async function writeHostileHtml(): Promise<string> {
  const incident = readSeedIncident();
  const extra: EcsEvent[] = buildHostileEvents(Date.parse(incident['@timestamp']) + 1_000).concat({
    ...buildHostileEvents(0)[0]!,
    '@timestamp': new Date(Date.parse(incident['@timestamp']) + 60_000).toISOString(),
    event: { id: 'hostile-body', dataset: 'windows.system', kind: 'event', action: 'other' },
    message: "<script>document.body.setAttribute('data-pwned','script')</script><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">",
  });
  const header = buildHeader({ scope: { kind: 'incident', incidentId: incident.incident.id }, filter: buildIncidentFilter(incident), incident }, { zone: parseZone('Asia/Shanghai'), generatedMs: GENERATED_MS, sourceLabel: '<script>document.title="pwned-header"</script>' });
  const html = await collect(renderTimeline('html', header, mergeRows((async function* () { yield* extra; })(), [buildHangRow(incident)], incident.incident.id)));
  const path = join(OUT, 'hostile.html');
  writeFileSync(path, html);
  return path;
}

test('the probe works: a page whose inline script may run shows the changed title in the dumped DOM', () => {
  const path = join(OUT, 'probe.html');
  writeFileSync(path, '<!DOCTYPE html><html><head><title>before</title></head><body><script>document.title="pwned";document.body.setAttribute("data-pwned","script")</script></body></html>');
  const dom = runChromium(pathToFileURL(path).href, ['--dump-dom', '--virtual-time-budget=2000']);
  assert.match(dom, /<title>pwned<\/title>/);
  assert.match(dom, /data-pwned="script"/);
});

test('the seed incident renders with swimlanes and the hang marker; screenshot and PDF are written', async () => {
  const path = await writeSeedHtml();
  const url = pathToFileURL(path).href;
  const dom = runChromium(url, ['--dump-dom', '--virtual-time-budget=2000']);
  assert.match(dom, /<svg [^>]*id="swimlanes"/);
  for (const lane of ['hypervisor', 'qemu', 'guest', 'kernel']) assert.match(dom, new RegExp(`data-lane="${lane}"`), lane);
  assert.match(dom, /id="hang-marker"/);
  assert.match(dom, /hang \(estimated\) 13:11:54\.777/);
  assert.match(dom, /<circle [^>]*><title>2017-03-15T13:11:54\.777\+08:00/, 'markers carry their record as a tooltip');
  assert.match(dom, /<tr id="r-1" class="kind-hang/);

  const png = join(OUT, 'seed.png');
  runChromium(url, [`--screenshot=${png}`, '--window-size=1400,2600']);
  assert.deepEqual(pngSize(readFileSync(png)), { width: 1400, height: 2600 });
  process.stderr.write(`browser test: screenshot ${png}\n`);

  const pdf = join(OUT, 'seed.pdf');
  runChromium(url, [`--print-to-pdf=${pdf}`, '--no-pdf-header-footer']);
  const bytes = readFileSync(pdf);
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(bytes.length > 10_000, 'the printed timeline has content');
  process.stderr.write(`browser test: printed ${pdf}\n`);
});

test('script and onerror payloads from log messages do not execute', async () => {
  const path = await writeHostileHtml();
  const url = pathToFileURL(path).href;
  const dom = runChromium(url, ['--dump-dom', '--virtual-time-budget=2000']);
  // The first <title> is the document's (<head> comes first); SVG tooltips hold the payloads as text.
  const title = /<title>([^<]*)<\/title>/.exec(dom)?.[1] ?? '';
  assert.ok(title.startsWith(TITLE), `document.title unchanged: ${title}`);
  assert.doesNotMatch(dom, /<body[^>]*data-pwned/, 'no payload touched <body>');
  assert.doesNotMatch(dom, /<script/i, 'no script element in the live DOM');
  assert.doesNotMatch(dom, /<img/i, 'no img element in the live DOM');
  assert.match(dom, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'the payload is displayed as text');
  const png = join(OUT, 'hostile.png');
  runChromium(url, [`--screenshot=${png}`, '--window-size=1400,1600']);
  assert.equal(pngSize(readFileSync(png)).width, 1400);
  process.stderr.write(`browser test: screenshot ${png}\n`);
});
