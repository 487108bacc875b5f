import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { knownVariables } from '../../../scripts/config-schemas.js';

// docker-compose.yml must stay consistent with the code's config (DESIGN.md section 8): every HANGWATCH_*
// variable it sets is one some service's schema knows, and every hangwatch service it runs exists.

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, unknown>;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };

test('every HANGWATCH_* variable in docker-compose.yml is known to a config schema', () => {
  const known = knownVariables();
  const unknown: string[] = [];
  let seen = 0;
  for (const [name, service] of Object.entries(compose.services)) {
    for (const variable of Object.keys(service.environment ?? {})) {
      if (!variable.startsWith('HANGWATCH_')) continue;
      seen++;
      if (!known.has(variable)) unknown.push(`${name}: ${variable}`);
    }
  }
  assert.ok(seen > 5, 'the compose file sets hangwatch variables');
  assert.deepEqual(unknown, []);
});

test('every hangwatch service in docker-compose.yml runs a service the CLI knows', async () => {
  const source = readFileSync('cli/commands/service.ts', 'utf8');
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.image !== 'hangwatch:latest' || service.command?.[0] !== 'service') continue;
    const target = service.command[1] as string;
    assert.match(source, new RegExp(`\\b${target}: \\(\\) => import`), `${name} runs unknown service ${target}`);
  }
});
