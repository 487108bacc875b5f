import { spawn } from 'node:child_process';
import { access, chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HangwatchError } from '../shared/errors.js';
import { ES_ARTIFACT, ES_VERSION, KAFKA_VERSION, SLF4J_VERSION } from './versions.js';
import { REPO_ROOT } from './settings.js';

// Downloads from Maven Central, once. Maven resolves Kafka's dependency tree (and keeps its own ~/.m2 cache);
// the results land in the hangwatch cache with a marker written last, so an interrupted download is redone
// and a complete one never touches the network again.

const POM = join(REPO_ROOT, 'infra', 'kafka', 'pom.xml');
const COMPLETE_MARKER = '.hangwatch-complete';

export type Progress = (message: string) => void;

export async function ensureKafkaJars(libsDir: string, progress: Progress): Promise<void> {
  const root = dirname(libsDir);
  if (await exists(join(root, COMPLETE_MARKER))) return;
  progress(`downloading Kafka ${KAFKA_VERSION} broker jars from Maven Central into ${libsDir} (once, about 46 MB)`);
  await rm(root, { recursive: true, force: true });
  await mkdir(libsDir, { recursive: true });
  await runMaven([
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${libsDir}`,
    `-Dkafka.version=${KAFKA_VERSION}`,
    `-Dslf4j.version=${SLF4J_VERSION}`,
  ]);
  const jars = (await readdir(libsDir)).filter((name) => name.endsWith('.jar'));
  if (!jars.includes(`kafka_2.13-${KAFKA_VERSION}.jar`)) {
    throw new HangwatchError('HW_STACK_START_FAILED', ['Kafka download', `kafka_2.13-${KAFKA_VERSION}.jar missing from ${libsDir}`]);
  }
  await makeWorldReadable(root);
  await writeFile(join(root, COMPLETE_MARKER), `${jars.length} jars\n`);
}

export async function ensureElasticsearchDist(distDir: string, progress: Progress): Promise<void> {
  if (await exists(join(distDir, COMPLETE_MARKER))) return;
  progress(`downloading Elasticsearch ${ES_VERSION} (integ-test zip) from Maven Central into ${distDir} (once, about 120 MB unpacked)`);
  const staging = `${distDir}.partial`;
  await rm(staging, { recursive: true, force: true });
  await rm(distDir, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await runMaven(['dependency:unpack', `-Dartifact=${ES_ARTIFACT}`, `-DoutputDirectory=${staging}`]);
  const unpacked = join(staging, `elasticsearch-${ES_VERSION}`);
  if (!(await exists(join(unpacked, 'bin', 'elasticsearch')))) {
    throw new HangwatchError('HW_STACK_START_FAILED', ['Elasticsearch download', `${unpacked}/bin/elasticsearch missing after unpacking`]);
  }
  await rename(unpacked, distDir);
  await rm(staging, { recursive: true, force: true });
  // Read by the `hangwatch` user when we run as root; the distribution's own bin/ keeps its exec bits.
  await makeWorldReadable(distDir);
  await writeFile(join(distDir, COMPLETE_MARKER), `${ES_ARTIFACT}\n`);
}

function runMaven(goalAndArgs: readonly string[]): Promise<void> {
  const args = ['-B', '-q', '-f', POM, ...goalAndArgs];
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) =>
      reject(new HangwatchError('HW_STACK_START_FAILED', ['Maven', 'no `mvn` on PATH: install Maven (apt-get install maven)'], { cause: error })),
    );
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new HangwatchError('HW_STACK_START_FAILED', ['Maven download', `mvn ${goalAndArgs[0]} exited ${code}:\n${output.slice(-4000)}`]));
    });
  });
}

async function makeWorldReadable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWorldReadable(path);
    else if (entry.isFile()) await chmod(path, (await stat(path)).mode | 0o444);
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
