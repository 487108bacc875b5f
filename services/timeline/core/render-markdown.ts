import { isoInZone } from '../../../shared/time.js';
import { escapeMarkdownInline as esc, fenceMarkdown } from './escape-markdown.js';
import type { TimelineHeader } from './header.js';
import type { TimelineRow } from './timeline-row.js';

// Markdown for the postmortem document: the header facts, the diagnoses with their remediation, the
// configuration, then one table row per record, streamed.

export async function* renderMarkdown(header: TimelineHeader, rows: AsyncIterable<TimelineRow>): AsyncGenerator<string> {
  let out = `# Postmortem timeline: ${esc(header.title)}\n\n`;
  for (const fact of header.facts) out += `- **${esc(fact.label)}:** ${esc(fact.value)}\n`;
  if (header.diagnoses.length > 0) {
    out += `\n## Diagnosis\n\n`;
    header.diagnoses.forEach((d, i) => {
      out += `${i + 1}. **${esc(d.code)}** (confidence ${esc(d.confidence)}): ${esc(d.summary)}\n\n`;
      out += `   Remediation:\n\n${indent(fenceMarkdown(d.remediation), '   ')}\n\n`;
    });
  }
  if (header.configTitle) {
    out += `\n## ${esc(header.configTitle)}\n\n`;
    for (const fact of header.config) out += `- **${esc(fact.label)}:** ${esc(fact.value)}\n`;
  }
  out += `\n## Events\n\n| Time (${esc(header.zone.name)}) | Time (UTC) | Source | Action | Host | Message |\n|---|---|---|---|---|---|\n`;
  yield out;
  let count = 0;
  let batch = '';
  for await (const row of rows) {
    count++;
    const marker = row.kind === 'hang' ? '**' : '';
    batch += `| ${isoInZone(row.ms, header.zone)} | ${row.timestamp} | ${esc(row.dataset)} | ${marker}${esc(row.action)}${marker} | ${esc(row.host ?? row.hypervisor ?? '')} | ${marker}${esc(row.message)}${marker} |\n`;
    // Yield in batches: one chunk per row costs more in stream plumbing than the row does to format.
    if (batch.length > 16_384) {
      yield batch;
      batch = '';
    }
  }
  yield `${batch}\n${count} rows.\n`;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}
