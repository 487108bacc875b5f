import { escapeJsonControls } from '../../../shared/text/visible-controls.js';
import type { TimelineHeader } from './header.js';
import { buildTimesketchRecord } from './timesketch-record.js';
import type { TimelineRow } from './timeline-row.js';

// JSONL for Timesketch: one flat object a line. JSON.stringify leaves U+2028/U+2029 raw, which is valid JSON
// but ends a "line" for readers that split on Unicode line breaks (Python's str.splitlines), so they are escaped,
// and so are C1 controls and bidi overrides (a `cat` of the file must not reorder or drive the terminal): the
// escapes decode to the same value.

export async function* renderJsonl(header: TimelineHeader, rows: AsyncIterable<TimelineRow>): AsyncGenerator<string> {
  let batch = '';
  for await (const row of rows) {
    batch += `${escapeJsonControls(JSON.stringify(buildTimesketchRecord(row, header.zone)))}\n`;
    if (batch.length > 16_384) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
}
