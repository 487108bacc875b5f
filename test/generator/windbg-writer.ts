import type { Zone } from '../../shared/time.js';
import { formatWindbgTime, formatWindbgUptime } from './time-format.js';

// The text a person saves from WinDbg 6.11 after opening a kernel dump and running `!analyze -v`, laid out
// as WinDbg prints it: the load banner, `Debug session time` (the crash time, local, with `(GMT+8)`),
// `System Uptime`, the 79-column `Bugcheck Analysis` box, the wrapped description, `ArgN: value, text`,
// `KEY:  value` fields (two spaces; MODULE_NAME has one, a WinDbg quirk) and one STACK_TEXT frame per line.

export interface WindbgArgument {
  /** Eight hex digits as WinDbg prints them on x86: `00000061`. */
  value: string;
  text: string;
}

export interface WindbgReport {
  dumpPath: string;
  symbolPath: string;
  osLine: string;
  product: string;
  builtBy: string;
  kernelBase: string;
  psLoadedModuleList: string;
  crashUtcMs: number;
  zone: Zone;
  uptimeMs: number;
  /** Symbolic name and short hex code, e.g. CLOCK_WATCHDOG_TIMEOUT and 101. */
  bugcheckName: string;
  bugcheckShortCode: string;
  description: readonly string[];
  args: readonly [WindbgArgument, WindbgArgument, WindbgArgument, WindbgArgument];
  /** `*** ERROR: ...` lines printed under Debugging Details. */
  symbolErrors: readonly string[];
  fieldsBeforeStack: ReadonlyArray<readonly [string, string]>;
  stack: readonly string[];
  fieldsAfterStack: ReadonlyArray<readonly [string, string]>;
  /** WinDbg's first automatic summary (`BugCheck 101, {61, 0, 807a3120, 1}`) before `!analyze -v`. */
  initialSummary?: { probablyCausedBy: string };
  processor: number;
  newline: '\n' | '\r\n';
}

const STARS = '*'.repeat(79);
const BOX_EMPTY = `*${' '.repeat(77)}*`;
const BOX_TITLE = `*${' '.repeat(24)}Bugcheck Analysis${' '.repeat(36)}*`;

/** WinDbg writes `MODULE_NAME: x` with one space and every other analysis key with two. */
function formatField(key: string, value: string): string {
  return key === 'MODULE_NAME' ? `${key}: ${value}` : `${key}:  ${value}`;
}

/** `00000061` -> `61`, as the summary line `BugCheck 101, {61, 0, 807a3120, 1}` shows arguments. */
function shortHex(value: string): string {
  return value.replace(/^0+(?=[0-9a-f])/i, '');
}

export function renderWindbgReport(r: WindbgReport): string {
  const lines: string[] = [
    'Microsoft (R) Windows Debugger Version 6.11.0001.404 X86',
    'Copyright (c) Microsoft Corporation. All rights reserved.',
    '',
    '',
    `Loading Dump File [${r.dumpPath}]`,
    'Kernel Summary Dump File: Only kernel address space is available',
    '',
    `Symbol search path is: ${r.symbolPath}`,
    'Executable search path is: ',
    r.osLine,
    r.product,
    `Built by: ${r.builtBy}`,
    'Machine Name:',
    `Kernel base = ${r.kernelBase} PsLoadedModuleList = ${r.psLoadedModuleList}`,
    `Debug session time: ${formatWindbgTime(r.crashUtcMs, r.zone)}`,
    `System Uptime: ${formatWindbgUptime(r.uptimeMs)}`,
    'Loading Kernel Symbols',
    '.'.repeat(63),
    '.'.repeat(64),
    '.'.repeat(25),
    'Loading User Symbols',
    'Loading unloaded module list',
    '.'.repeat(7),
  ];
  const box = [STARS, BOX_EMPTY, BOX_TITLE, BOX_EMPTY, STARS, ''];
  if (r.initialSummary) {
    const args = r.args.map((a) => shortHex(a.value)).join(', ');
    lines.push(...box, 'Use !analyze -v to get detailed debugging information.', '', `BugCheck ${r.bugcheckShortCode.toUpperCase()}, {${args}}`, '');
    lines.push(`Probably caused by : ${r.initialSummary.probablyCausedBy}`, '', 'Followup: MachineOwner', '---------', '');
  } else {
    lines.push('');
  }
  lines.push(`${r.processor}: kd> !analyze -v`, ...box);
  lines.push(`${r.bugcheckName} (${r.bugcheckShortCode})`, ...r.description, 'Arguments:');
  r.args.forEach((a, i) => lines.push(`Arg${i + 1}: ${a.value}, ${a.text}`));
  lines.push('', 'Debugging Details:', '------------------', '');
  if (r.symbolErrors.length > 0) lines.push(...r.symbolErrors, '');
  for (const [key, value] of r.fieldsBeforeStack) lines.push(formatField(key, value), '');
  lines.push('STACK_TEXT:  ', ...r.stack, '', '');
  for (const [key, value] of r.fieldsAfterStack) lines.push(formatField(key, value), '');
  lines.push('Followup: MachineOwner', '---------', '');
  return lines.join(r.newline);
}

export const CLOCK_WATCHDOG_DESCRIPTION = [
  'An expected clock interrupt was not received on a secondary processor in an',
  'MP system within the allocated interval. This indicates that the specified',
  'processor is hung and not processing interrupts.',
] as const;

/** The seed's dump (Windows 7 SP1 x86, 2 vCPUs), verbatim from the field report apart from line breaks. */
export function buildSeedWindbgReport(zone: Zone): WindbgReport {
  return {
    dumpPath: 'C:\\dmp\\(98)MEMORY.DMP',
    symbolPath: 'SRV*C:\\Symbols*http://msdl.microsoft.com/download/symbols;SRV*c:\\mysymbol* http://msdl.microsoft.com/download/symbols',
    osLine: 'Windows 7 Kernel Version 7601 (Service Pack 1) MP (2 procs) Free x86 compatible',
    product: 'Product: WinNt, suite: TerminalServer SingleUserTS',
    builtBy: '7601.18205.x86fre.win7sp1_gdr.130708-1532',
    kernelBase: '0x83c13000',
    psLoadedModuleList: '0x83d5c4d0',
    crashUtcMs: Date.UTC(2017, 2, 15, 5, 11, 54, 777),
    zone,
    uptimeMs: ((5 * 60 + 0) * 60 + 52) * 1000 + 740,
    bugcheckName: 'CLOCK_WATCHDOG_TIMEOUT',
    bugcheckShortCode: '101',
    description: CLOCK_WATCHDOG_DESCRIPTION,
    args: [
      { value: '00000061', text: 'Clock interrupt time out interval in nominal clock ticks.' },
      { value: '00000000', text: '0.' },
      { value: '807a3120', text: 'The PRCB address of the hung processor.' },
      { value: '00000001', text: '0.' },
    ],
    symbolErrors: [
      '*** ERROR: Module load completed but symbols could not be loaded for Ntfs.sys',
      '*** ERROR: Module load completed but symbols could not be loaded for qutmdrv.sys',
    ],
    fieldsBeforeStack: [
      ['BUGCHECK_STR', 'CLOCK_WATCHDOG_TIMEOUT_2_PROC'],
      ['DEFAULT_BUCKET_ID', 'VISTA_DRIVER_FAULT'],
      ['PROCESS_NAME', 'System'],
      ['CURRENT_IRQL', '1c'],
    ],
    stack: SEED_STACK,
    fieldsAfterStack: [
      ['STACK_COMMAND', 'kb'],
      ['SYMBOL_NAME', 'ANALYSIS_INCONCLUSIVE'],
      ['FOLLOWUP_NAME', 'MachineOwner'],
      ['MODULE_NAME', 'Unknown_Module'],
      ['IMAGE_NAME', 'Unknown_Image'],
      ['DEBUG_FLR_IMAGE_TIMESTAMP', '0'],
      ['FAILURE_BUCKET_ID', 'CLOCK_WATCHDOG_TIMEOUT_2_PROC_ANALYSIS_INCONCLUSIVE'],
      ['BUCKET_ID', 'CLOCK_WATCHDOG_TIMEOUT_2_PROC_ANALYSIS_INCONCLUSIVE'],
    ],
    processor: 0,
    newline: '\n',
  };
}

const SEED_STACK = [
  '807fc5e4 83c8e117 00000101 00000061 00000000 nt!KeBugCheckEx+0x1e',
  '807fc620 83c8d763 00026160 00000000 0011a800 nt!KeAccumulateTicks+0x242',
  '807fc660 83c8d610 83c4a2be 2e50d92a 00000000 nt!KeUpdateRunTime+0x145',
  '807fc6b8 83c8ce13 8736e71b 8736e71b 000000d1 nt!KeUpdateSystemTime+0x613',
  '807fc6b8 83c4a2be 8736e71b 8736e71b 000000d1 nt!KeUpdateSystemTimeAssist+0x13',
  '807fc75c 83c93268 94484000 00000000 807fc7b4 nt!KeFlushMultipleRangeTb+0x2d5',
  '807fc770 83c70ca0 00001000 876424e8 00000000 nt!MiFlushPteList+0x22',
  '807fc838 83c9acdb 94485000 00001000 94272250 nt!MmSetAddressRangeModified+0x205',
  '807fc8cc 8c0ebd3f 8763f998 00000000 00000000 nt!CcFlushCache+0x294',
  'WARNING: Stack unwind information not available. Following frames may be wrong.',
  '807fc91c 8c0f2dfc 87604da8 942670f8 00000000 Ntfs+0x7ed3f',
  '807fc990 8c0ecd92 87604da8 87baa428 0c757330 Ntfs+0x85dfc',
  '807fc9f8 83c49c1e 87361020 87baa428 87baa428 Ntfs+0x7fd92',
  '807fca10 843ce20c 8735a300 87baa428 00000000 nt!IofCallDriver+0x63',
  '807fca34 843ce3cb 807fca54 8735a300 00000000 FLTMGR!FltpLegacyProcessingAfterPreCallbacksCompleted+0x2aa',
  '807fca6c 83c49c1e 8735a300 87baa428 874e9db0 FLTMGR!FltpDispatch+0xc5',
  '807fca84 937684db 807fcaa4 83c49c1e 874e9db0 nt!IofCallDriver+0x63',
  '807fca8c 83c49c1e 874e9db0 87baa428 87baa428 qutmdrv+0x4db',
  '807fcaa4 83e3dbe9 87baa428 87646c98 00000000 nt!IofCallDriver+0x63',
  '807fcac4 83e1c4bb 874e9db0 87646c98 00000000 nt!IopSynchronousServiceTail+0x1f8',
  '807fcb30 83c508c6 87f0a590 807fcbc8 807fcbd0 nt!NtFlushBuffersFile+0x1d7',
  '807fcb30 83c4e7ad 87f0a590 807fcbc8 807fcbd0 nt!KiSystemServicePostCall',
  '807fcbb0 83e22b5d 80000564 807fcbc8 863e7798 nt!ZwFlushBuffersFile+0x11',
  '807fcbd0 83eab328 8ce1a740 00000000 00000000 nt!CmpFileFlush+0x5a',
  '807fcc00 83c9014b 00000000 00000000 863e7798 nt!CmpLazyFlushWorker+0x35',
  '807fcc50 83e1c12b 00000001 b2d8e202 00000000 nt!ExpWorkerThread+0x10d',
  '807fcc90 83cc3559 83c9003e 00000001 00000000 nt!PspSystemThreadStartup+0x9e',
  '00000000 00000000 00000000 00000000 00000000 nt!KiThreadStartup+0x19',
] as const;

/**
 * A WinDbg report for a generated 0x101 on an idle Windows 7 x86 guest: the watchdog fired from the clock
 * interrupt while the boot processor sat in the idle loop waiting for the hung secondary processor.
 */
export function buildGeneratedWindbgReport(input: {
  crashUtcMs: number;
  uptimeMs: number;
  zone: Zone;
  parameters: readonly [string, string, string, string];
  newline: '\n' | '\r\n';
  frame: () => string;
}): WindbgReport {
  const seed = buildSeedWindbgReport(input.zone);
  const eight = (hex: string): string => BigInt(hex).toString(16).padStart(8, '0');
  const [a1, a2, a3, a4] = input.parameters.map(eight) as [string, string, string, string];
  const f = input.frame;
  const stack = [
    `${f()} ${f()} 00000101 ${a1} 00000000 nt!KeBugCheckEx+0x1e`,
    `${f()} ${f()} 00026160 00000000 0000e800 nt!KeAccumulateTicks+0x242`,
    `${f()} ${f()} 83c4d9f6 ${f()} 00000000 nt!KeUpdateRunTime+0x145`,
    `${f()} ${f()} 00000000 000000d1 807c6120 nt!KeUpdateSystemTime+0x613`,
    `${f()} ${f()} 00000000 000000d1 807c6120 nt!KeUpdateSystemTimeAssist+0x13`,
    `${f()} ${f()} 00000000 0000000e 00000000 hal!HalProcessorIdle+0x4`,
    `${f()} ${f()} 00000000 00000000 00000000 nt!KiIdleLoop+0x1a`,
  ];
  return {
    ...seed,
    dumpPath: 'C:\\dmp\\MEMORY.DMP',
    symbolPath: 'SRV*C:\\Symbols*http://msdl.microsoft.com/download/symbols',
    crashUtcMs: input.crashUtcMs,
    uptimeMs: input.uptimeMs,
    args: [
      { value: a1, text: 'Clock interrupt time out interval in nominal clock ticks.' },
      { value: a2, text: '0.' },
      { value: a3, text: 'The PRCB address of the hung processor.' },
      { value: a4, text: '0.' },
    ],
    symbolErrors: [],
    fieldsBeforeStack: [
      ['BUGCHECK_STR', 'CLOCK_WATCHDOG_TIMEOUT_2_PROC'],
      ['DEFAULT_BUCKET_ID', 'VISTA_DRIVER_FAULT'],
      ['PROCESS_NAME', 'Idle'],
      ['CURRENT_IRQL', '1c'],
    ],
    stack,
    initialSummary: { probablyCausedBy: 'Unknown_Image ( ANALYSIS_INCONCLUSIVE )' },
    newline: input.newline,
  };
}
