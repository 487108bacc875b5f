import type { Client, estypes } from '@elastic/elasticsearch';
import { HangwatchError } from '../../../shared/errors.js';
import { redactUrl } from '../../../shared/logger.js';
import type { Alert } from '../../../shared/schema/alert.js';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { buildAlertsQuery, buildEventsQuery, buildHypervisorsQuery, EVENTS_SORT } from '../core/es-query.js';
import type { EventFilter } from '../core/scope.js';
import type { AlertQuery, TimelineSource } from '../core/timeline-source.js';

// Elasticsearch as a timeline source. Events are read with a point in time and search_after, page by page, so
// a range of any size streams with one page in memory and no 10,000-hit limit (from+size is capped by
// index.max_result_window; search_after is not). The point in time gives one consistent view for the whole
// export even while the indexer keeps writing.

export interface EsSourceOptions {
  readonly eventsIndex: string;
  readonly incidentsIndex: string;
  readonly alertsIndex: string;
  readonly pageSize: number;
  readonly keepAlive: string;
  /** For error messages only (credentials are stripped). */
  readonly url: string;
}

type Sort = (string | number | null)[];

export class EsSource implements TimelineSource {
  constructor(
    private readonly client: Client,
    private readonly options: EsSourceOptions,
  ) {}

  async findIncident(id: string): Promise<Incident | undefined> {
    const response = await this.call(() =>
      this.client.search<Incident>({
        index: this.options.incidentsIndex,
        ignore_unavailable: true,
        size: 1,
        query: { bool: { should: [{ ids: { values: [id] } }, { term: { 'incident.id': id } }], minimum_should_match: 1 } },
      }),
    );
    return response.hits.hits[0]?._source;
  }

  async findHypervisors(domain: string, fromMs: number, toMs: number): Promise<string[]> {
    const response = await this.call(() =>
      this.client.search({
        index: this.options.eventsIndex,
        ignore_unavailable: true,
        allow_no_indices: true,
        size: 0,
        query: buildHypervisorsQuery(domain, fromMs, toMs),
        aggs: { hypervisors: { terms: { field: 'libvirt.hypervisor', size: 1000 } } },
      }),
    );
    const agg = response.aggregations?.hypervisors as { buckets?: { key: string }[] } | undefined;
    return (agg?.buckets ?? []).map((b) => String(b.key)).sort();
  }

  async *streamEvents(filter: EventFilter, onTotal?: (total: number) => void): AsyncGenerator<EcsEvent> {
    const { keepAlive, pageSize } = this.options;
    const pit = await this.call(() => this.client.openPointInTime({ index: this.options.eventsIndex, keep_alive: keepAlive, ignore_unavailable: true }));
    let pitId = pit.id;
    try {
      let after: Sort | undefined;
      let first = true;
      for (;;) {
        const response = await this.call(() =>
          this.client.search<EcsEvent>({
            pit: { id: pitId, keep_alive: keepAlive },
            size: pageSize,
            query: buildEventsQuery(filter),
            sort: EVENTS_SORT as unknown as estypes.Sort,
            track_total_hits: first,
            ...(after ? { search_after: after } : {}),
          }),
        );
        if (response.pit_id) pitId = response.pit_id;
        if (first) {
          const total = response.hits.total;
          onTotal?.(typeof total === 'number' ? total : (total?.value ?? 0));
          first = false;
        }
        const hits = response.hits.hits;
        for (const hit of hits) if (hit._source) yield hit._source;
        if (hits.length < pageSize) return;
        after = hits[hits.length - 1]!.sort as Sort;
      }
    } finally {
      // Closing frees the search contexts now instead of at keep-alive expiry; failing to close is harmless.
      await this.client.closePointInTime({ id: pitId }).catch(() => undefined);
    }
  }

  async findAlerts(query: AlertQuery): Promise<Alert[]> {
    const response = await this.call(() =>
      this.client.search<Alert>({
        index: this.options.alertsIndex,
        ignore_unavailable: true,
        allow_no_indices: true,
        // An incident has a handful of alert state changes; the cap only guards against a runaway rule.
        size: 1000,
        sort: [{ '@timestamp': { order: 'asc' } }],
        query: buildAlertsQuery(query.incidentId, query.fromMs, query.toMs, query.domain),
      }),
    );
    return response.hits.hits.flatMap((h) => (h._source ? [h._source] : []));
  }

  /** Readiness. Not `ping()` (HEAD /): the integ-test distribution we run locally answers 405 to it. */
  async ping(): Promise<boolean> {
    try {
      await this.client.cluster.health({ timeout: '2s' });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {}

  /** Connection failures are retriable HW_ES_UNAVAILABLE; a request Elasticsearch refused is HW_ES_REJECTED. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const e = error as { name?: string; meta?: { statusCode?: number; body?: unknown }; message?: string };
      if (e.meta?.statusCode === 429) throw new HangwatchError('HW_ES_THROTTLED', [e.message ?? 'too many requests'], { cause: error });
      if (e.name === 'ResponseError') {
        const reason = JSON.stringify((e.meta?.body as { error?: { root_cause?: unknown } } | undefined)?.error?.root_cause ?? e.message).slice(0, 500);
        throw new HangwatchError('HW_ES_REJECTED', [`${e.meta?.statusCode ?? '?'} ${reason}`], { cause: error });
      }
      throw new HangwatchError('HW_ES_UNAVAILABLE', [redactUrl(this.options.url), e.message ?? String(error)], { cause: error });
    }
  }
}
