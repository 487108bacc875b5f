// Reading qemu option values. Two syntaxes share the command line: QemuOpts/keyval (`a=b,c=d`, a leading bare
// item is the option's implied key, `,,` is a literal comma: qemu util/qemu-option.c get_opt_value) and,
// since libvirt 6.x for -blockdev/-object/-device/-netdev, JSON objects (qemu's `-blockdev '{...}'`).

export type KeyvalItem = readonly [key: string | undefined, value: string];

/** Splits at commas that are not doubled (`,,` is an escaped comma). */
export function splitOptionList(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 44 /* , */) continue;
    if (text.charCodeAt(i + 1) === 44) {
      current += text.slice(from, i + 1);
      i++;
      from = i + 1;
      continue;
    }
    out.push(current + text.slice(from, i));
    current = '';
    from = i + 1;
  }
  out.push(current + text.slice(from));
  return out;
}

/** `pc-i440fx-xenial,accel=kvm` -> [[undefined, 'pc-i440fx-xenial'], ['accel', 'kvm']]. Empty items are dropped. */
export function readKeyval(text: string): KeyvalItem[] {
  const out: KeyvalItem[] = [];
  for (const item of splitOptionList(text)) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    out.push(eq === -1 ? [undefined, item] : [item.slice(0, eq), item.slice(eq + 1)]);
  }
  return out;
}

/** The value of `key` (the last one wins, as in QemuOpts), or the leading bare item for the implied key. */
export function keyvalValue(items: readonly KeyvalItem[], key: string, implied = false): string | undefined {
  let found: string | undefined;
  items.forEach(([k, v], index) => {
    if (k === key || (implied && index === 0 && k === undefined)) found = v;
  });
  return found;
}

/** A JSON option value (`{"driver":"file",...}`), or undefined when the value is keyval or not valid JSON. */
export function readJsonOption(text: string): Record<string, unknown> | undefined {
  if (text.charCodeAt(0) !== 123 /* { */) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** qemu's boolean spellings (qapi/qobject-input-visitor.c, util/qemu-option.c parse_option_bool). */
export function readQemuBool(value: string): boolean | undefined {
  switch (value.toLowerCase()) {
    case 'on':
    case 'yes':
    case 'true':
    case 'y':
      return true;
    case 'off':
    case 'no':
    case 'false':
    case 'n':
      return false;
    default:
      return undefined;
  }
}

/** A size with qemu's suffixes (B, K, M, G, T, P, E; case-insensitive), in MiB; a bare number is already MiB for -m. */
export function readSizeMiB(text: string, bareUnit: 'MiB' | 'bytes' = 'MiB'): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgtpe])?i?b?$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]?.toLowerCase();
  const shift: Record<string, number> = { b: -20, k: -10, m: 0, g: 10, t: 20, p: 30, e: 40 };
  if (unit === undefined) return bareUnit === 'MiB' ? n : n / 2 ** 20;
  return n * 2 ** (shift[unit] ?? 0);
}
