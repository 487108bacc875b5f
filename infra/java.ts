import { execFile } from 'node:child_process';
import { readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { HangwatchError } from '../shared/errors.js';
import { MIN_JAVA_MAJOR } from './versions.js';

// The JDK both services run on. The default is the one behind `java` on PATH (Java 17 here), not $JAVA_HOME,
// which may point at a newer JDK than Elasticsearch 8.19 supports.

const run = promisify(execFile);

export async function resolveJavaHome(configured: string): Promise<string> {
  const home = configured || (await javaHomeFromPath());
  const major = await readJavaMajor(home);
  if (major !== undefined && major < MIN_JAVA_MAJOR) {
    throw new HangwatchError('HW_STACK_START_FAILED', ['Java', `${home} is Java ${major}; Kafka and Elasticsearch need ${MIN_JAVA_MAJOR}+ (set HANGWATCH_STACK_JAVA_HOME)`]);
  }
  return home;
}

async function javaHomeFromPath(): Promise<string> {
  try {
    const { stdout } = await run('sh', ['-c', 'command -v java']);
    // <home>/bin/java, possibly through /etc/alternatives symlinks.
    return dirname(dirname(await realpath(stdout.trim())));
  } catch (error) {
    throw new HangwatchError('HW_STACK_START_FAILED', ['Java', 'no `java` on PATH: install a JDK 17 (apt-get install openjdk-17-jdk-headless) or set HANGWATCH_STACK_JAVA_HOME'], { cause: error });
  }
}

/** The major version from <home>/release (JAVA_VERSION="17.0.15"), undefined when the file is missing. */
async function readJavaMajor(home: string): Promise<number | undefined> {
  try {
    return parseJavaMajor(await readFile(join(home, 'release'), 'utf8'));
  } catch {
    return undefined;
  }
}

export function parseJavaMajor(releaseFile: string): number | undefined {
  const match = /^JAVA_VERSION="(?:1\.)?(\d+)/m.exec(releaseFile);
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 10);
}

export function javaBinary(javaHome: string): string {
  return join(javaHome, 'bin', 'java');
}
