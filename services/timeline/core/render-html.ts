import { isoInZone } from '../../../shared/time.js';
import type { TimelineHeader } from './header.js';
import { escapeHtml as esc } from './html/escape-html.js';
import { LANES, laneOf, severityOf } from './html/lanes.js';
import { TIMELINE_CSS } from './html/styles.js';
import { SwimlaneChart } from './html/swimlane.js';
import type { TimelineRow } from './timeline-row.js';

// One self-contained HTML file: no script, no external resource. The Content-Security-Policy forbids
// everything but inline styles (`default-src 'none'` also blocks every script and image), so even if some log
// text escaped escaping it could not run or fetch anything.

export const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export async function* renderHtml(header: TimelineHeader, rows: AsyncIterable<TimelineRow>): AsyncGenerator<string> {
  yield renderHead(header);
  const charts = buildCharts(header);
  let index = 0;
  let batch = '';
  for await (const row of rows) {
    index++;
    for (const { chart } of charts) chart.add(row, index);
    batch += renderRow(row, index, header);
    if (batch.length > 32_768) {
      yield batch;
      batch = '';
    }
  }
  yield `${batch}</tbody></table>\n<p class="count">${index} rows.</p>\n</section>\n`;
  yield renderCharts(charts);
  yield `</div>\n<footer>Exported by hangwatch timeline. Self-contained page: no scripts, no network requests; hover a marker for its record, click it to jump to its row.</footer>\n</body>\n</html>\n`;
}

function renderHead(header: TimelineHeader): string {
  const facts = header.facts.map((f) => `<dt>${esc(f.label)}</dt><dd>${esc(f.value)}</dd>`).join('\n');
  const diagnoses =
    header.diagnoses.length === 0
      ? ''
      : `<section class="diagnoses"><h2>Diagnosis</h2><ol>\n${header.diagnoses
          .map(
            (d) =>
              `<li><span class="diag-code">${esc(d.code)}</span><span class="confidence">confidence ${esc(d.confidence)}</span><p>${esc(d.summary)}</p><p>Remediation:</p><pre>${esc(d.remediation)}</pre></li>`,
          )
          .join('\n')}\n</ol></section>`;
  const config = header.configTitle
    ? `<section class="config"><h2>${esc(header.configTitle)}</h2><dl class="facts">\n${header.config.map((f) => `<dt>${esc(f.label)}</dt><dd>${esc(f.value)}</dd>`).join('\n')}\n</dl></section>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Postmortem timeline: ${esc(header.title)}</title>
<style>${TIMELINE_CSS}</style>
</head>
<body>
<header>
<h1>Postmortem timeline: ${esc(header.title)}</h1>
<dl class="facts">
${facts}
</dl>
${diagnoses}
${config}
</header>
<div class="stack">
<section class="events"><h2>Events</h2>
<table class="events"><thead><tr><th>Time (${esc(header.zone.name)})</th><th>Time (UTC)</th><th>Source</th><th>Action</th><th>Host</th><th>Message</th></tr></thead>
<tbody>
`;
}

function renderRow(row: TimelineRow, index: number, header: TimelineHeader): string {
  const lane = laneOf(row.dataset) ?? 'hangwatch';
  const severity = severityOf(row);
  return `<tr id="r-${index}" class="kind-${row.kind} lane-${lane} sev-${severity}"><td class="t">${esc(isoInZone(row.ms, header.zone))}</td><td class="t">${esc(row.timestamp)}</td><td class="nw">${esc(row.dataset)}</td><td class="nw"><span class="sev"></span>${esc(row.action)}</td><td class="nw">${esc(row.host ?? row.hypervisor ?? '')}</td><td class="msg">${esc(row.message)}</td></tr>\n`;
}

const DETAIL_BEFORE_MS = 10 * 60_000;
const DETAIL_AFTER_MS = 20 * 60_000;

/** The whole window, and when it is long, a close-up around the hang where guest records crowd together. */
function buildCharts(header: TimelineHeader): { title: string; chart: SwimlaneChart }[] {
  const charts = [{ title: 'Swimlanes', chart: new SwimlaneChart(header.fromMs, header.toMs, header.zone) }];
  if (header.hangMs !== undefined && header.toMs - header.fromMs > 3 * (DETAIL_BEFORE_MS + DETAIL_AFTER_MS)) {
    const from = Math.max(header.fromMs, header.hangMs - DETAIL_BEFORE_MS);
    const to = Math.min(header.toMs, header.hangMs + DETAIL_AFTER_MS);
    charts.push({ title: 'Around the hang (10 minutes before, 20 after)', chart: new SwimlaneChart(from, to, header.zone, '-detail') });
  }
  return charts;
}

function renderCharts(charts: { title: string; chart: SwimlaneChart }[]): string {
  const counts = charts[0]!.chart.laneCounts();
  const summary = LANES.map((l) => `${esc(l.label)}: ${counts[l.id]}`).join(' · ');
  const svgs = charts.map((c, i) => `${i > 0 ? `<h3>${esc(c.title)}</h3>\n` : ''}<div class="chart-wrap">\n${c.chart.renderSvg()}\n</div>`).join('\n');
  return `<section class="chart" id="chart"><h2>${esc(charts[0]!.title)}</h2>
${svgs}
<p class="legend"><span><i class="critical"></i>critical</span><span><i class="error"></i>error</span><span><i class="warning"></i>warning</span><span><i class="change"></i>start / config</span><span><i class="info"></i>info</span><span><i class="hang"></i>hang (estimated)</span><span>${summary}</span></p>
</section>
`;
}
