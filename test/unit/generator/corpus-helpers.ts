import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { generateCorpus, type Truth } from '../../generator/generate.js';
import { DEFAULT_OPTIONS, type GeneratorOptions } from '../../generator/types.js';

// Small corpora for the generator's tests: one day, two hosts, a handful of hangs of every cause.

export const SMALL_OPTIONS: GeneratorOptions = { ...DEFAULT_OPTIONS, seed: 7, hosts: 2, vmsPerHost: 4, hangs: 5, cleanShutdowns: 2, noisePerHour: 6 };

export function generateTemp(options: Partial<GeneratorOptions> = {}): { dir: string; truth: Truth } {
  const dir = mkdtempSync(join(tmpdir(), 'hangwatch-gen-'));
  const truth = generateCorpus(dir, { ...SMALL_OPTIONS, ...options });
  return { dir, truth };
}

export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(root);
  return out;
}

export function readText(root: string, rel: string): string {
  return readFileSync(join(root, rel), 'utf8');
}

export function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((l, i, all) => !(l === '' && i === all.length - 1));
}
