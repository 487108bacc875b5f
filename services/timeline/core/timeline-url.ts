import type { TimelineFormat } from './render.js';

// The link alerts (hangwatch.links.timeline) and Kibana put in front of people: the timeline service's
// GET /timeline for one incident. One builder, so the route and its links cannot drift apart.

export const TIMELINE_PATH = '/timeline';

export function buildTimelineUrl(baseUrl: string, incidentId: string, options: { format?: TimelineFormat; tz?: string } = {}): string {
  // The service may sit under a path prefix behind a proxy: keep the base's path.
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${TIMELINE_PATH}`);
  url.searchParams.set('incident', incidentId);
  if (options.format) url.searchParams.set('format', options.format);
  if (options.tz) url.searchParams.set('tz', options.tz);
  return url.toString();
}
