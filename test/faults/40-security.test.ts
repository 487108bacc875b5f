// Security: every service reaches Kafka and Elasticsearch only through the shared clients (so the SASL/TLS and
// API key / TLS settings of COMMON_SCHEMA apply everywhere); Kibana's saved objects render messages as text.
// That secrets never reach a log (debug level, every secret set) is checked on the kill tests' pipeline, which
// runs that way (20-pipeline-kill.test.ts: one pipeline fewer to start).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { REPO } from './harness/paths.js';
import { listFiles } from './harness/list-files.js';

test('services build Kafka and Elasticsearch clients only through shared/clients (TLS, SASL, API key apply to all)', async () => {
  const sources = [...(await listFiles(join(REPO, 'services'), /\.ts$/)), ...(await listFiles(join(REPO, 'cli'), /\.ts$/))];
  const offenders: string[] = [];
  for (const path of sources) {
    const text = await readFile(path, 'utf8');
    for (const line of text.split('\n')) {
      const built = /new (?:Kafka|Client)\(\s*([A-Za-z_$][\w$]*)?/.exec(line);
      if (!built || /buildKafkaConfig\(|buildEsOptions\(/.test(line)) continue;
      // `new Kafka(config)` where `config` was assigned from the shared builder in the same file is fine too.
      const fromBuilder = built[1] !== undefined && new RegExp(`\\b${built[1]}\\s*=[^;]*\\b(buildKafkaConfig|buildEsOptions)\\(`).test(text);
      if (!fromBuilder) offenders.push(`${relative(REPO, path)}: ${line.trim()}`);
    }
  }
  assert.deepEqual(offenders, [], 'clients built outside shared/clients');
  for (const service of ['shipper', 'parser', 'correlator', 'indexer', 'alerter', 'timeline']) {
    const main = await readFile(join(REPO, 'services', service, 'main.ts'), 'utf8');
    assert.match(main, /COMMON_SCHEMA/, `${service} loads the common Kafka/Elasticsearch settings`);
  }
});

test("Kibana saved objects: links encode the value, no field renders HTML", async () => {
  const objects = await listFiles(join(REPO, 'kibana', 'objects'), /\.json$/);
  assert.ok(objects.length > 0);
  let formats = 0;
  for (const path of objects) {
    const text = await readFile(path, 'utf8');
    assert.ok(!text.includes('{{rawValue}}'), `${relative(REPO, path)}: {{rawValue}} puts unescaped field values into a URL or label`);
    const doc = JSON.parse(text) as { attributes?: { fieldFormatMap?: Record<string, { id?: string; params?: { type?: string } }> } };
    for (const [field, format] of Object.entries(doc.attributes?.fieldFormatMap ?? {})) {
      formats++;
      assert.ok(format.id !== 'url' || format.params?.type !== 'img', `${field}: no image format`);
      assert.ok(!['message', 'event.original', 'error.message'].includes(field), `${field} is rendered as plain text, not formatted`);
    }
  }
  assert.ok(formats > 0, 'the data views were checked');
});

