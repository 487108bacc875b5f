import { isoInZone, type Zone } from '../../../../shared/time.js';
import type { TimelineRow } from '../timeline-row.js';
import { escapeHtml } from './escape-html.js';
import { LANES, laneOf, severityOf, type LaneId, type Severity } from './lanes.js';
import { buildTicks } from './time-axis.js';

// The swimlane chart as pure SVG: markers with <title> tooltips (work with scripts off, and this page has no
// scripts at all) that link to their table row. It is fed row by row while the table streams and holds at most
// MAX_MARKERS markers per lane; a lane with more is drawn as a density strip, so memory stays bounded.

const WIDTH = 1200;
const LABEL_WIDTH = 170;
const RIGHT_PAD = 24;
const TOP = 34;
const LANE_HEIGHT = 58;
const AXIS_HEIGHT = 40;
const LEVEL_OFFSETS = [0, -15, 15];
const MIN_GAP_PX = 6;
const MAX_MARKERS = 2_000;
const DENSITY_BINS = 240;
const TITLE_MESSAGE_CHARS = 400;

interface Marker {
  readonly ms: number;
  readonly index: number;
  readonly severity: Severity;
  readonly title: string;
}

interface LaneState {
  readonly markers: Marker[];
  readonly bins: number[];
  count: number;
  overflow: boolean;
}

interface Annotation {
  readonly ms: number;
  readonly index: number;
  readonly kind: 'hang' | 'alert';
  readonly title: string;
  readonly label: string;
}

export class SwimlaneChart {
  private readonly lanes = new Map<LaneId, LaneState>();
  private readonly annotations: Annotation[] = [];

  constructor(
    private readonly fromMs: number,
    private readonly toMs: number,
    private readonly zone: Zone,
    /** Suffix of the element ids, so two charts (overview, around the hang) can share a page. */
    private readonly idSuffix = '',
  ) {
    for (const lane of LANES) this.lanes.set(lane.id, { markers: [], bins: new Array<number>(DENSITY_BINS).fill(0), count: 0, overflow: false });
  }

  add(row: TimelineRow, index: number): void {
    if (row.ms < this.fromMs || row.ms > this.toMs) return;
    const title = this.describe(row);
    if (row.kind !== 'event') {
      // Bounded too: an incident has one hang and a handful of alert state changes.
      if (this.annotations.length < MAX_MARKERS) {
        const time = isoInZone(row.ms, this.zone).slice(11, 23);
        this.annotations.push({ ms: row.ms, index, kind: row.kind, title, label: row.kind === 'hang' ? `hang (estimated) ${time}` : `alert ${time}` });
      }
      return;
    }
    const lane = this.lanes.get(laneOf(row.dataset) ?? 'hypervisor')!;
    lane.count++;
    lane.bins[this.binOf(row.ms)]!++;
    if (lane.overflow) return;
    if (lane.markers.length >= MAX_MARKERS) {
      lane.overflow = true;
      lane.markers.length = 0;
      return;
    }
    lane.markers.push({ ms: row.ms, index, severity: severityOf(row), title });
  }

  laneCounts(): Record<LaneId, number> {
    return Object.fromEntries([...this.lanes].map(([id, lane]) => [id, lane.count])) as Record<LaneId, number>;
  }

  renderSvg(): string {
    const height = TOP + LANES.length * LANE_HEIGHT + AXIS_HEIGHT;
    const bottom = TOP + LANES.length * LANE_HEIGHT;
    const parts: string[] = [];
    parts.push(
      `<svg class="swimlanes" id="swimlanes${this.idSuffix}" role="img" aria-labelledby="swimlanes-title${this.idSuffix}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">`,
      `<title id="swimlanes-title${this.idSuffix}">Swimlanes from ${escapeHtml(isoInZone(this.fromMs, this.zone))} to ${escapeHtml(isoInZone(this.toMs, this.zone))}</title>`,
    );
    for (const tick of buildTicks(this.fromMs, this.toMs, this.zone)) {
      const x = this.xOf(tick.ms).toFixed(1);
      parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${TOP}" y2="${bottom}"/><text class="tick" x="${x}" y="${bottom + 18}">${escapeHtml(tick.label)}</text>`);
    }
    parts.push(`<text class="tick zone" x="${WIDTH - RIGHT_PAD}" y="${bottom + 34}">${escapeHtml(this.zone.name)}</text>`);
    LANES.forEach((lane, i) => {
      const state = this.lanes.get(lane.id)!;
      const y = TOP + i * LANE_HEIGHT;
      const mid = y + LANE_HEIGHT / 2;
      parts.push(
        `<g class="lane lane-${lane.id}" data-lane="${lane.id}">`,
        `<rect class="lane-bg" x="${LABEL_WIDTH}" y="${y + 2}" width="${WIDTH - LABEL_WIDTH - RIGHT_PAD}" height="${LANE_HEIGHT - 4}"/>`,
        `<text class="lane-label" x="10" y="${mid - 3}">${escapeHtml(lane.label)}</text>`,
        `<text class="lane-detail" x="10" y="${mid + 13}">${escapeHtml(lane.detail)} · ${state.count}</text>`,
        `<line class="lane-axis" x1="${LABEL_WIDTH}" x2="${WIDTH - RIGHT_PAD}" y1="${mid}" y2="${mid}"/>`,
      );
      parts.push(state.overflow ? this.renderDensity(state, y) : this.renderMarkers(state, mid));
      parts.push('</g>');
    });
    for (const note of this.annotations) parts.push(this.renderAnnotation(note, bottom));
    parts.push('</svg>');
    return parts.join('\n');
  }

  private renderMarkers(state: LaneState, mid: number): string {
    const lastX = LEVEL_OFFSETS.map(() => Number.NEGATIVE_INFINITY);
    const out: string[] = [];
    for (const marker of state.markers) {
      const x = this.xOf(marker.ms);
      // Markers closer than a few pixels are stacked on up to three rows so each keeps its own tooltip.
      let level = lastX.findIndex((last) => x - last >= MIN_GAP_PX);
      if (level < 0) level = 0;
      lastX[level] = x;
      const r = marker.severity === 'critical' ? 7 : 5;
      out.push(
        `<a class="m sev-${marker.severity}" href="#r-${marker.index}"><circle cx="${x.toFixed(1)}" cy="${mid + LEVEL_OFFSETS[level]!}" r="${r}"><title>${escapeHtml(marker.title)}</title></circle></a>`,
      );
    }
    return out.join('\n');
  }

  private renderDensity(state: LaneState, y: number): string {
    const max = Math.max(1, ...state.bins);
    const binWidth = (WIDTH - LABEL_WIDTH - RIGHT_PAD) / DENSITY_BINS;
    const binMs = (this.toMs - this.fromMs) / DENSITY_BINS;
    const out: string[] = [];
    state.bins.forEach((count, i) => {
      if (count === 0) return;
      const h = Math.max(2, ((LANE_HEIGHT - 8) * Math.log1p(count)) / Math.log1p(max));
      const from = isoInZone(this.fromMs + i * binMs, this.zone);
      out.push(
        `<rect class="density" x="${(LABEL_WIDTH + i * binWidth).toFixed(1)}" y="${(y + LANE_HEIGHT - 4 - h).toFixed(1)}" width="${Math.max(1, binWidth - 0.5).toFixed(1)}" height="${h.toFixed(1)}"><title>${count} records from ${escapeHtml(from)}</title></rect>`,
      );
    });
    return out.join('\n');
  }

  private renderAnnotation(note: Annotation, bottom: number): string {
    const x = this.xOf(note.ms).toFixed(1);
    const id = note.kind === 'hang' ? ` id="hang-marker${this.idSuffix}"` : '';
    const anchor = Number(x) > WIDTH - 260 ? 'end' : 'start';
    const dx = anchor === 'end' ? -6 : 6;
    return (
      `<a class="annotation ${note.kind}"${id} href="#r-${note.index}"><title>${escapeHtml(note.title)}</title>` +
      `<line x1="${x}" x2="${x}" y1="${TOP - 12}" y2="${bottom}"/>` +
      `<polygon points="${x},${TOP - 4} ${Number(x) - 6},${TOP - 14} ${Number(x) + 6},${TOP - 14}"/>` +
      `<text x="${Number(x) + dx}" y="${TOP - 16}" text-anchor="${anchor}">${escapeHtml(note.label)}</text></a>`
    );
  }

  private describe(row: TimelineRow): string {
    const message = row.message.length > TITLE_MESSAGE_CHARS ? `${row.message.slice(0, TITLE_MESSAGE_CHARS)}…` : row.message;
    const who = row.host ?? row.hypervisor ?? '';
    return `${isoInZone(row.ms, this.zone)} (${row.timestamp})\n${row.dataset} · ${row.action}${who ? ` · ${who}` : ''}\n${message}`;
  }

  private binOf(ms: number): number {
    const span = this.toMs - this.fromMs;
    if (span <= 0) return 0;
    return Math.min(DENSITY_BINS - 1, Math.max(0, Math.floor(((ms - this.fromMs) / span) * DENSITY_BINS)));
  }

  private xOf(ms: number): number {
    const span = this.toMs - this.fromMs;
    const plot = WIDTH - LABEL_WIDTH - RIGHT_PAD;
    if (span <= 0) return LABEL_WIDTH + plot / 2;
    const clamped = Math.min(this.toMs, Math.max(this.fromMs, ms));
    return LABEL_WIDTH + ((clamped - this.fromMs) / span) * plot;
  }
}
