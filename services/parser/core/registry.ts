import type { Format } from '../../../shared/vocabulary.js';
import type { FormatParser } from './event-draft.js';
import { domstatsParser } from './formats/domstats.js';
import { iostatParser } from './formats/iostat.js';
import { kernelParser } from './formats/kernel.js';
import { dumpParser } from './formats/dump.js';
import { evtxParser } from './formats/evtx.js';
import { libvirtdParser } from './formats/libvirtd.js';
import { qemuParser } from './formats/qemu.js';
import { windbgParser } from './formats/windbg.js';
import { wineventXmlParser } from './formats/winevent-xml.js';
import { winlogbeatParser } from './formats/winlogbeat.js';

// Every format parser, by format name. Adding a format touches this table and grammars/.
export const FORMAT_PARSERS: Partial<Record<Format, FormatParser>> = {
  libvirtd: libvirtdParser,
  qemu: qemuParser,
  windbg: windbgParser,
  'winevent-xml': wineventXmlParser,
  winlogbeat: winlogbeatParser,
  kernel: kernelParser,
  iostat: iostatParser,
  evtx: evtxParser,
  dump: dumpParser,
  domstats: domstatsParser,
};
