import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSavedObjects, checkTimelineBaseUrl } from '../../../kibana/src/build-objects.js';
import { loadSources } from '../../../kibana/src/load-sources.js';
import { buildNdjson } from '../../../kibana/build-ndjson.js';
import { builtObjects } from './helpers.js';

// Saved objects must carry nothing a value from the data can turn into script: no HTML-rendering panels, no
// raw-value URL templates, no formulas. Kibana's URL format (field_formats/common/converters/url.ts) fills
// `{{value}}` with encodeURIComponent(value) and lodash-escapes the result; `{{rawValue}}` is not encoded.

type UrlParams = { type?: string; urlTemplate?: string; labelTemplate?: string };

function urlFormats(objects = builtObjects()): { field: string; params: UrlParams }[] {
  return objects
    .filter((o) => o.type === 'index-pattern')
    .flatMap((dv) => Object.entries(JSON.parse(String(dv.attributes.fieldFormatMap)) as Record<string, { id: string; params: UrlParams }>))
    .filter(([, f]) => f.id === 'url')
    .map(([field, f]) => ({ field, params: f.params }));
}

/** Kibana's htmlConvert for a link, reduced to what decides safety: encode into the template, then escape. */
function renderLink(template: string, value: string): string {
  const url = template.replace(/{{\s*value\s*}}/g, encodeURIComponent(value));
  const escaped = url.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
  return `<a href="${escaped}" target="_blank" rel="noopener noreferrer">`;
}

test('incident ids link to the timeline export through an encoded {{value}} template', () => {
  const formats = urlFormats();
  assert.deepEqual(formats.map((f) => f.field).sort(), ['alert.incidents', 'incident.id']);
  for (const { params } of formats) {
    assert.equal(params.type, 'a', 'links only: img/audio would load data-chosen URLs');
    assert.equal(params.urlTemplate, 'http://localhost:8790/timeline?incident={{value}}&format=html');
    assert.doesNotMatch(JSON.stringify(params), /rawValue/);
  }
});

test('a hostile incident id cannot leave the href or add markup', () => {
  const template = urlFormats()[0]?.params.urlTemplate as string;
  const html = renderLink(template, '"><script>alert(1)</script><a href="javascript:x');
  assert.equal(html.match(/"/g)?.length, 6, 'only the attribute quotes');
  assert.doesNotMatch(html, /<script|javascript:x"/i);
  assert.match(html, /^<a href="http:\/\/localhost:8790\/timeline\?incident=%22%3E%3Cscript%3E/);
});

test('no object renders HTML, markdown, Vega or formulas, or names a script scheme', () => {
  const text = buildNdjson().ndjson;
  assert.doesNotMatch(text, /<script|javascript:|vbscript:|data:text\/html/i);
  for (const o of builtObjects()) {
    assert.ok(['index-pattern', 'search', 'lens', 'dashboard'].includes(o.type), `${o.type}: visualization types that render markup are not shipped`);
    if (o.type === 'lens') assert.doesNotMatch(JSON.stringify(o.attributes), /"operationType":"(formula|math)"/, `${o.id}: no formulas`);
  }
});

test('--timeline-url replaces the link origin and accepts only a plain http(s) base', () => {
  const objects = buildSavedObjects(loadSources(), { timelineBaseUrl: 'https://timeline.example:8443/hw/' });
  assert.ok(urlFormats(objects).every((f) => f.params.urlTemplate === 'https://timeline.example:8443/hw/timeline?incident={{value}}&format=html'));
  for (const bad of ['javascript:alert(1)', 'http://x/{{rawValue}}', 'http://x/?a=1', 'http://u:p@x', 'ftp://x', 'not a url', 'http://x/"onmouseover']) {
    assert.throws(() => checkTimelineBaseUrl(bad), { code: 'HW_USAGE' }, bad);
  }
});
