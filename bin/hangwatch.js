#!/usr/bin/env node
// The hangwatch CLI launcher: runs the TypeScript sources through tsx's loader, so there is no stale build.
import { register } from 'tsx/esm/api';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The grammars are compiled at build time into grammars/generated (not in git). Right after `git clone` and
// `npm ci` nothing has built them yet, so the launcher does: when they are up to date this is a few stat calls.
await import(pathToFileURL(join(root, 'scripts', 'build-grammars.mjs')).href);
register();
const { main } = await import(pathToFileURL(join(root, 'cli', 'main.ts')).href);
process.exitCode = await main(process.argv.slice(2));
