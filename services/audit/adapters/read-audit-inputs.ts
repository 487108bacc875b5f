import { readFile } from 'node:fs/promises';
import { collectFiles } from '../../../cli/analyze/collect-files.js';
import { HangwatchError } from '../../../shared/errors.js';
import { domainFromGuestFolder, hostFromPath } from '../../parser/core/host-from-path.js';
import { parseRecord, SourceStates } from '../../parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../parser/core/registry.js';
import { readFileRecords } from '../../parser/adapters/read-file-records.js';
import { configFromDomainXml, configFromQemuEvent, type DomainConfig } from '../core/domain-config.js';
import type { WindowsHints } from '../core/windows-evidence.js';
import { readXmlTree } from '../core/xml-tree.js';

// Reads what `hangwatch audit` is given: domain XML files (`virsh dumpxml` output, /etc/libvirt/qemu/*.xml), qemu
// logs (their command lines, through the qemu parser), and Windows artefacts collected under guests/<domain>/
// (only their place matters: they say the domain runs Windows). Folders are walked as `hangwatch analyze` walks
// them. A refused or malformed XML file is reported and skipped; an unreadable path is an error.

export interface AuditInputs {
  readonly configs: DomainConfig[];
  readonly hints: WindowsHints;
  /** Files that could not be used, with the reason (printed to stderr). */
  readonly skipped: Array<{ readonly path: string; readonly reason: string }>;
  readonly filesRead: number;
}

export interface AuditReadOptions {
  /** Hypervisor for files whose path names none (the machine's hostname when run on a hypervisor). */
  readonly host?: string;
  readonly inventory?: ReadonlyArray<{ readonly domain: string; readonly hypervisor?: string; readonly computerName?: string; readonly os?: string }>;
  readonly created: string;
}

const GUEST_FORMATS = new Set(['windbg', 'winevent-xml', 'winlogbeat', 'evtx', 'dump']);

/** `<host>/etc/libvirt/qemu/<name>.xml` in a collected tree; else the var/log or guests/ rule of section 7. */
function hypervisorOf(path: string, fallback: string | undefined): string | undefined {
  const m = /(?:^|\/)([^/]+)\/etc\/libvirt\/qemu\//.exec(path.replace(/\\/g, '/'));
  return m?.[1] ?? hostFromPath(path) ?? fallback;
}

function looksLikeDomainXml(head: string): boolean {
  return /<domain[\s>]/.test(head);
}

export async function readAuditInputs(paths: readonly string[], options: AuditReadOptions): Promise<AuditInputs> {
  const files = await collectFiles(paths);
  const configs: DomainConfig[] = [];
  const guestRecords = new Set<string>();
  const skipped: Array<{ path: string; reason: string }> = [];
  const states = new SourceStates();
  for (const file of files) {
    const hypervisor = hypervisorOf(file.path, options.host);
    const guest = domainFromGuestFolder(file.path);
    if (guest && file.format && GUEST_FORMATS.has(file.format)) {
      guestRecords.add(guest);
      if (hypervisor) guestRecords.add(`${hypervisor}/${guest}`);
      continue;
    }
    if (/\.xml$/i.test(file.path)) {
      let text: string;
      try {
        text = await readFile(file.path, 'utf8');
      } catch (error) {
        throw new HangwatchError('HW_INPUT_UNREADABLE', [file.path, (error as NodeJS.ErrnoException).code ?? String(error)], { cause: error });
      }
      if (!looksLikeDomainXml(text.slice(0, 64 * 1024))) continue;
      try {
        for (const root of readXmlTree(text, file.path)) if (root.name === 'domain') configs.push(configFromDomainXml(root, file.path, hypervisor));
      } catch (error) {
        skipped.push({ path: file.path, reason: error instanceof Error ? error.message : String(error) });
      }
      continue;
    }
    if (file.format === 'qemu') {
      for await (const record of readFileRecords({ path: file.path, host: hypervisor ?? '', format: 'qemu', maxRecordBytes: 4 << 20, created: options.created })) {
        const { events } = parseRecord(record, FORMAT_PARSERS, states, { maxRecordBytes: 4 << 20, validate: false });
        for (const event of events) {
          // An empty record host (no hypervisor known) is left out of the config by configFromQemuEvent.
          const config = configFromQemuEvent(event);
          if (config) configs.push(config);
        }
      }
    }
  }
  const inventory = new Set<string>();
  for (const entry of options.inventory ?? []) {
    if (!entry.computerName && !/windows/i.test(entry.os ?? '')) continue;
    inventory.add(entry.hypervisor ? `${entry.hypervisor}/${entry.domain}` : entry.domain);
  }
  return { configs, hints: { guestRecords, inventory }, skipped, filesRead: files.length };
}
