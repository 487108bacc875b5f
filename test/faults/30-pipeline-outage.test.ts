// Outages around the pipeline while a batch streams: the Kafka broker stopped for 20 s, Elasticsearch stopped
// for 30 s (the shared local stack: both come back at once, even when the test fails), a log rotation storm
// under the shipper, and the shipper's state folder on a full disk (a 64 KiB tmpfs). Every record ends
// indexed or dead-lettered exactly once, with the offline analysis' incidents and alerts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { Pipeline } from './harness/pipeline.js';
import { runFault, until } from './harness/scenario.js';
import { SIZES, formatSize } from './harness/mode.js';
import { outage } from './harness/stack-control.js';
import { planRotationStorm, type RotationPlan } from './harness/rotation.js';

let pipeline: Pipeline;
let es: Client;

before(async () => {
  pipeline = await Pipeline.start({ name: 'outage' });
  es = createElasticsearch(pipeline.common);
});

after(async () => {
  await pipeline?.stop();
  await es?.close();
});

const volume = `2 hosts, libvirtd padded to ${formatSize(SIZES.libvirtdLines, 'count')} lines each`;

test('Kafka broker stopped for 20 s mid-stream', { timeout: 720_000 }, async () => {
  await runFault(pipeline, es, {
    order: '30-01',
    fault: 'Kafka broker stopped 20 s',
    batch: { seed: 201, day: '2017-04-01', libvirtdLines: SIZES.libvirtdLines },
    notes: volume,
    timeoutMs: 480_000,
    strike: async ({ pipeline: p }) => {
      await until(async () => (await p.metric('parser', 'hangwatch_parser_records_received_total')) > 0, 120_000, 'the parser to start on the batch');
      await outage('kafka', 20_000);
    },
  });
});

test('Elasticsearch stopped for 30 s mid-stream', { timeout: 720_000 }, async () => {
  await runFault(pipeline, es, {
    order: '30-02',
    fault: 'Elasticsearch stopped 30 s',
    batch: { seed: 202, day: '2017-04-03', libvirtdLines: SIZES.libvirtdLines },
    notes: volume,
    timeoutMs: 480_000,
    strike: async ({ pipeline: p }) => {
      await until(async () => (await p.metric('indexer', 'hangwatch_indexer_indexed_total')) > 0, 120_000, 'the indexer to start on the batch');
      await outage('elasticsearch', 30_000);
    },
  });
});

test('log rotation storm under the shipper (rename and copytruncate, alternating)', { timeout: 600_000 }, async () => {
  let plan: RotationPlan | undefined;
  await runFault(pipeline, es, {
    order: '30-03',
    fault: `log rotation storm (${SIZES.rotations} rotations, 300 ms apart)`,
    batch: { seed: 203, day: '2017-04-05', libvirtdLines: SIZES.libvirtdLines },
    notes: `${volume}; libvirtd.log rotated per host, rename/copytruncate alternating`,
    prepare: async (batch) => {
      plan = await planRotationStorm(batch, SIZES.rotations);
      return plan.batch;
    },
    strike: async () => {
      await plan?.storm(300);
    },
  });
});

test("shipper's state folder on a full disk: a clear error, then recovery", { timeout: 600_000 }, async () => {
  const stateDir = join(pipeline.dir, 'full-disk-state');
  await mkdir(stateDir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', stateDir]);
  const filler = join(stateDir, 'filler');
  let held = '';
  let live = '';
  try {
    await runFault(pipeline, es, {
      order: '30-04',
      fault: "shipper state folder on a full disk (64 KiB tmpfs)",
      batch: { seed: 204, day: '2017-04-07', libvirtdLines: SIZES.libvirtdLines },
      notes: `${volume}; disk filled after the first positions, freed once the error was logged`,
      shipperStateDir: stateDir,
      // One file is held back and appears while the disk is full: the shipper must go on shipping it and say
      // why it cannot save its positions.
      prepare: async (batch) => {
        held = join(pipeline.dir, 'held-libvirtd.log');
        live = join(batch.hosts[1]?.dir ?? '', 'var', 'log', 'libvirt', 'libvirtd.log');
        await rename(live, held);
        return batch;
      },
      strike: async ({ pipeline: p }) => {
        await until(async () => (await p.metric('shipper', 'hangwatch_shipper_records_total')) > 0, 60_000, 'the shipper to ship');
        await fillDisk(filler);
        await rename(held, live);
        await until(async () => (await readFile(p.proc('shipper').logFile, 'utf8')).includes('HW_STATE_WRITE_FAILED'), 60_000, 'the shipper to report the full disk');
        const log = await readFile(p.proc('shipper').logFile, 'utf8');
        const line = log.split('\n').find((l) => l.includes('HW_STATE_WRITE_FAILED')) ?? '';
        assert.match(line, /ENOSPC/, 'the error names the cause');
        assert.ok(line.includes(stateDir), 'the error names the folder');
        assert.equal(p.proc('shipper').exited, false, 'the shipper keeps running');
        await rm(filler);
      },
    });
    // After recovery the positions are saved again: a restarted shipper resumes at the end, sending nothing.
    const positions = JSON.parse(await readFile(join(stateDir, 'positions.json'), 'utf8')) as unknown;
    assert.ok(positions, 'positions were saved after the disk was freed');
  } finally {
    execFileSync('umount', [stateDir]);
  }
});

/** Writes until the file system refuses (ENOSPC). */
async function fillDisk(path: string): Promise<void> {
  const block = Buffer.alloc(4096, 0x78);
  let data = Buffer.alloc(0);
  for (;;) {
    try {
      data = Buffer.concat([data, block]);
      await writeFile(path, data);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw error;
    }
  }
}
