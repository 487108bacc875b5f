import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseZone } from '../../../shared/time.js';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { showControls } from '../../../shared/text/visible-controls.js';
import { formatCsvCell } from '../../../services/timeline/core/csv-cell.js';
import { escapeMarkdownInline, fenceMarkdown } from '../../../services/timeline/core/escape-markdown.js';
import { buildHeader } from '../../../services/timeline/core/header.js';
import { escapeHtml } from '../../../services/timeline/core/html/escape-html.js';
import { mergeRows } from '../../../services/timeline/core/merge-rows.js';
import { HTML_CSP } from '../../../services/timeline/core/render-html.js';
import { renderTimeline, type TimelineFormat } from '../../../services/timeline/core/render.js';
import { buildIncidentFilter } from '../../../services/timeline/core/scope.js';
import { buildHangRow } from '../../../services/timeline/core/timeline-row.js';
import { buildHostileEvents, HOSTILE_MESSAGES } from './hostile-content.js';
import { collect, parseCsv, readSeedIncident } from './seed-fixture.js';

async function* from(events: EcsEvent[]): AsyncGenerator<EcsEvent> {
  yield* events;
}

async function renderHostile(format: TimelineFormat): Promise<string> {
  const incident = readSeedIncident();
  const hangMs = Date.parse(incident['@timestamp']);
  const header = buildHeader({ scope: { kind: 'incident', incidentId: incident.incident.id }, filter: buildIncidentFilter(incident), incident }, { zone: parseZone('Asia/Shanghai'), generatedMs: 0, sourceLabel: '<b>src</b>' });
  const rows = mergeRows(from(buildHostileEvents(hangMs + 1000)), [buildHangRow(incident)], incident.incident.id);
  return collect(renderTimeline(format, header, rows));
}

test('HTML: log content is escaped, no tag or handler from it survives, and the CSP allows no script', async () => {
  const html = await renderHostile('html');
  assert.doesNotMatch(html, /<script/i, 'no script element at all');
  assert.doesNotMatch(html, /<img/i);
  assert.doesNotMatch(html, /<svg onload/i);
  assert.doesNotMatch(html, /<a href="javascript:/i);
  assert.doesNotMatch(html, /<[^>]*\son\w+\s*=/i, 'no event-handler attribute in any tag');
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'the payload is shown as text');
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(html, /&lt;b&gt;src&lt;\/b&gt;/, 'header values are escaped too');
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`));
  assert.match(HTML_CSP, /default-src 'none'/);
  assert.doesNotMatch(HTML_CSP, /script-src|unsafe-eval/);
  assert.doesNotMatch(html, /\b(src|href)="(https?:)?\/\//i, 'no network fetches');
});

test('CSV: formula-looking cells get a leading quote, and RFC 4180 quoting keeps every cell intact', async () => {
  const csv = await renderHostile('csv');
  const [head, ...rows] = parseCsv(csv);
  const messages = rows.map((r) => r[head!.indexOf('message')]!);
  assert.ok(messages.includes("'=cmd|' /C calc'!A0"));
  assert.ok(messages.includes("'+SUM(1,2)"));
  assert.ok(messages.includes("'-2+3"));
  assert.ok(messages.includes("'@SUM(A1)"));
  assert.ok(messages.includes("'\tTAB"));
  for (const m of messages) assert.doesNotMatch(m, /^[=+\-@\t\r]/);
  // Every message round-trips, controls shown as \uXXXX (the last test below).
  for (const original of HOSTILE_MESSAGES.map(showControls)) assert.ok(messages.includes(/^[=+\-@\t\r]/.test(original) ? `'${original}` : original), `${JSON.stringify(original)} round-trips`);
  assert.equal(formatCsvCell('a "b", c'), '"a ""b"", c"');
  assert.equal(formatCsvCell('line\r\nbreak'), '"line\r\nbreak"');
  assert.equal(formatCsvCell('=1+1'), `"'=1+1"`);
  assert.equal(formatCsvCell(1489554714777000), '1489554714777000');
});

test('Markdown: pipes and newlines cannot break the table, HTML and formatting stay text', async () => {
  const md = await renderHostile('md');
  const table = md.slice(md.indexOf('## Events'));
  const rowLines = table.split('\n').filter((l) => l.startsWith('| 20'));
  assert.equal(rowLines.length, HOSTILE_MESSAGES.length + 1, 'one line per row: newlines did not split rows');
  for (const line of rowLines) assert.equal(line.split(/(?<!\\)\|/).length, 8, `six cells: ${line}`);
  assert.doesNotMatch(table, /(?<!\\)<(script|img|svg)/i, 'every < from the log is backslash-escaped');
  assert.match(table, /\\<script\\>alert\(1\)\\<\/script\\>/);
  assert.equal(escapeMarkdownInline('a|b\nc *d* _e_ `f` [g](h) <i> &amp;'), 'a\\|b<br>c \\*d\\* \\_e\\_ \\`f\\` \\[g\\](h) \\<i\\> \\&amp;');
  assert.equal(fenceMarkdown('x ``` y'), '````\nx ``` y\n````', 'a fence longer than any backtick run inside');
});

test('JSONL: one line per row, whatever the message holds', async () => {
  const jsonl = await renderHostile('jsonl');
  const lines = jsonl.trimEnd().split('\n');
  assert.equal(lines.length, HOSTILE_MESSAGES.length + 1);
  const messages = lines.map((l) => (JSON.parse(l) as { message: string }).message);
  for (const original of HOSTILE_MESSAGES) assert.ok(messages.includes(original));
  const withSeparators = await collect(
    renderTimeline(
      'jsonl',
      buildHeader({ scope: { kind: 'host', host: 'sc7', fromMs: 0, toMs: 1 }, filter: { fromMs: 0, toMs: 1, hypervisors: ['sc7'], host: 'sc7' } }, { zone: parseZone('UTC'), generatedMs: 0, sourceLabel: 't' }),
      mergeRows(from([{ ...buildHostileEvents(0)[0]!, message: 'a\u2028b\u2029c' }]), []),
    ),
  );
  assert.doesNotMatch(withSeparators, /[\u2028\u2029]/);
  assert.equal((JSON.parse(withSeparators) as { message: string }).message, 'a\u2028b\u2029c');
});

test('escapeHtml escapes the five characters and replaces control characters', () => {
  assert.equal(escapeHtml(`<a href='x' title="y">&</a>`), '&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;&lt;/a&gt;');
  assert.equal(escapeHtml('a\u0000b\u001bc\td\ne'), 'a\\u0000b\\u001bc\td\ne');
});

test('controls and bidi overrides from a guest are shown as \\uXXXX in every format, never passed raw', async () => {
  const raw = /[\u001b\u009b\u202e\u2066\u2069]/;
  for (const format of ['html', 'csv', 'md', 'jsonl'] as const) {
    const text = await renderHostile(format);
    assert.doesNotMatch(text, raw, `${format}: no raw ESC, CSI, override or isolate`);
    assert.ok(text.includes('u001b'), `${format}: the ESC is visible`);
    assert.ok(text.includes('u009b6n') && text.includes('u202egnp.exe'), `${format}: C1 and override visible`);
  }
  // JSONL's escapes are JSON escapes: a reader gets the guest's text back unchanged.
  const jsonl = (await renderHostile('jsonl')).split('\n').filter((l) => l.includes('evil.exe'));
  assert.equal(jsonl.length, 1);
  assert.ok((JSON.parse(jsonl[0] as string) as { message: string }).message.includes('\u009b6n \u202egnp.exe'));
});
