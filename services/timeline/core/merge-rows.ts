import { HangwatchError } from '../../../shared/errors.js';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { compareEvents } from './order.js';
import { buildEventRow, type TimelineRow } from './timeline-row.js';

// Streams events into rows and slots the few extra rows (the hang, alert state changes) in by time. Memory is
// bounded by the extras, never by the events. A source that breaks the order is a bug that would silently
// misplace records in a postmortem, so it stops the export instead.

export async function* mergeRows(events: AsyncIterable<EcsEvent>, extras: readonly TimelineRow[], incidentId?: string): AsyncGenerator<TimelineRow> {
  const pending = [...extras].sort((a, b) => a.ms - b.ms);
  let next = 0;
  let previous: EcsEvent | undefined;
  for await (const event of events) {
    if (previous && compareEvents(previous, event) > 0) {
      throw new HangwatchError('HW_INTERNAL', [`events out of order: ${previous.event.id} (${previous['@timestamp']}) before ${event.event.id} (${event['@timestamp']})`]);
    }
    previous = event;
    const row = buildEventRow(event, incidentId);
    // An extra row comes before the events of the same millisecond: the hang precedes what recorded it.
    while (next < pending.length && pending[next]!.ms <= row.ms) yield pending[next++]!;
    yield row;
  }
  while (next < pending.length) yield pending[next++]!;
}
