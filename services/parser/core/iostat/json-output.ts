// `iostat -o JSON` (sysstat >= 11.3): one JSON document, but printed one value per line (iostat.c
// write_json_*), so it is read line by line like the text output:
//   {"sysstat": {                                   a new run (the banner)
//   "nodename": "h", "number-of-cpus": 9, "date": "06/01/20",    the banner's fields
//   "timestamp": "06/01/20 12:53:20",              -t (the text stamp's forms, ISO, or -U seconds)
//   "avg-cpu":  {"user": 1.49, ..., "idle": 56.00},  the avg-cpu table and row at once
//   "disk": [                                       a device table
//   {"disk_device": "sda", "r/s": 6.90, ...},       a device row (-g groups: " disks")
// and brackets, braces and the other banner fields, which carry nothing.

export type JsonLine =
  | { readonly kind: 'run' }
  | { readonly kind: 'host'; readonly name: string }
  | { readonly kind: 'cpus'; readonly count: number }
  | { readonly kind: 'date'; readonly text: string }
  | { readonly kind: 'timestamp'; readonly text: string }
  | { readonly kind: 'avg-cpu'; readonly values: Readonly<Record<string, unknown>> }
  | { readonly kind: 'disk-table' }
  | { readonly kind: 'device'; readonly values: Readonly<Record<string, unknown>> }
  | { readonly kind: 'structure' };

/** Whether a line belongs to JSON output: its first non-blank character opens or closes JSON, or quotes a key. */
export function isJsonOutputLine(text: string): boolean {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
  const c = text.charCodeAt(i);
  return c === 0x7b /* { */ || c === 0x7d /* } */ || c === 0x5d /* ] */ || c === 0x22 /* " */;
}

/** Reads one line of JSON output; undefined when it is not one iostat prints. */
export function readJsonLine(text: string): JsonLine | undefined {
  const line = text.trim().replace(/,$/, '');
  if (/^[{}[\]]*$/.test(line)) return { kind: 'structure' };
  if (line.startsWith('{"sysstat"')) return { kind: 'run' };
  if (/^"(hosts|statistics)"\s*:\s*\[$/.test(line)) return { kind: 'structure' };
  if (/^"disk"\s*:\s*\[\s*\]?$/.test(line)) return { kind: 'disk-table' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.startsWith('{') ? line : `{${line}}`);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const object = parsed as Record<string, unknown>;
  if (typeof object.disk_device === 'string') return { kind: 'device', values: object };
  const keys = Object.keys(object);
  if (keys.length !== 1) return undefined;
  const value = object[keys[0] as string];
  switch (keys[0]) {
    case 'nodename':
      return typeof value === 'string' ? { kind: 'host', name: value } : undefined;
    case 'number-of-cpus':
      return typeof value === 'number' ? { kind: 'cpus', count: value } : undefined;
    case 'date':
      return typeof value === 'string' ? { kind: 'date', text: value } : undefined;
    case 'timestamp':
      return typeof value === 'string' || typeof value === 'number' ? { kind: 'timestamp', text: String(value) } : undefined;
    case 'avg-cpu':
      return value !== null && typeof value === 'object' ? { kind: 'avg-cpu', values: value as Record<string, unknown> } : undefined;
    case 'sysname':
    case 'release':
    case 'machine':
      return { kind: 'structure' };
    default:
      return undefined;
  }
}
