import type { TimelineHeader } from './header.js';
import { formatCsvLine } from './csv-cell.js';
import { buildTimesketchRecord, TIMESKETCH_COLUMNS } from './timesketch-record.js';
import type { TimelineRow } from './timeline-row.js';

// CSV for Timesketch (header line first, CRLF line ends as RFC 4180 says), streamed in batches.

export async function* renderCsv(header: TimelineHeader, rows: AsyncIterable<TimelineRow>): AsyncGenerator<string> {
  yield formatCsvLine(TIMESKETCH_COLUMNS);
  let batch = '';
  for await (const row of rows) {
    const record = buildTimesketchRecord(row, header.zone);
    batch += formatCsvLine(TIMESKETCH_COLUMNS.map((column) => record[column]));
    if (batch.length > 16_384) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
}
