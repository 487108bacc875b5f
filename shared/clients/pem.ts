import { readFileSync } from 'node:fs';
import { HangwatchError } from '../errors.js';

// PEM files of the TLS settings (CA, client certificate, key), read once at start by the client factories.

/** A PEM file named by a setting, read once at start; a missing or unreadable file is a configuration error. */
export function readPemFile(variable: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new HangwatchError('HW_CONFIG_INVALID', [`  - ${variable}=${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  // The content is never put in a message: a key file given where a certificate belongs must not reach a log.
  if (!text.includes('-----BEGIN ')) throw new HangwatchError('HW_CONFIG_INVALID', [`  - ${variable}=${path}: not a PEM file (no -----BEGIN line)`]);
  return text;
}
