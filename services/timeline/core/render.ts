import type { TimelineHeader } from './header.js';
import { renderCsv } from './render-csv.js';
import { renderHtml } from './render-html.js';
import { renderJsonl } from './render-jsonl.js';
import { renderMarkdown } from './render-markdown.js';
import type { TimelineRow } from './timeline-row.js';

// Output formats: each renderer consumes the ordered rows once and yields text chunks (streaming, bounded).

export const TIMELINE_FORMATS = ['md', 'html', 'csv', 'jsonl'] as const;
export type TimelineFormat = (typeof TIMELINE_FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<TimelineFormat, string>> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

export function renderTimeline(format: TimelineFormat, header: TimelineHeader, rows: AsyncIterable<TimelineRow>): AsyncGenerator<string> {
  switch (format) {
    case 'md':
      return renderMarkdown(header, rows);
    case 'html':
      return renderHtml(header, rows);
    case 'csv':
      return renderCsv(header, rows);
    case 'jsonl':
      return renderJsonl(header, rows);
  }
}

export function isTimelineFormat(value: string): value is TimelineFormat {
  return (TIMELINE_FORMATS as readonly string[]).includes(value);
}
