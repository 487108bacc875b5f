import { formatFiletime, formatSystemtime } from './windows-time.js';

// Typed values of BinXML substitution arrays (libevtx documentation, "Value types"), rendered as event XML text.
// Integers are decimal, hex integers `0x` + lowercase digits without padding (Windows writes Keywords as
// `0x80000000000000`), GUIDs braced uppercase, SIDs `S-1-5-18`, binary as uppercase hex (6008's <Binary>).
// Arrays (type | 0x80): an element whose content is the array repeats once per item (libevtx documentation,
// "Normal substitution"); elsewhere the items are joined by commas. Binary XML (0x21) is decoded by the caller.

export const VALUE_TYPE = {
  null: 0x00,
  string: 0x01,
  ansiString: 0x02,
  int8: 0x03,
  uint8: 0x04,
  int16: 0x05,
  uint16: 0x06,
  int32: 0x07,
  uint32: 0x08,
  int64: 0x09,
  uint64: 0x0a,
  real32: 0x0b,
  real64: 0x0c,
  bool: 0x0d,
  binary: 0x0e,
  guid: 0x0f,
  sizeT: 0x10,
  filetime: 0x11,
  systemtime: 0x12,
  sid: 0x13,
  hexInt32: 0x14,
  hexInt64: 0x15,
  evtHandle: 0x20,
  binXml: 0x21,
  evtXml: 0x23,
  array: 0x80,
} as const;

const utf16 = new TextDecoder('utf-16le');
const latin1 = new TextDecoder('latin1');

/** Fixed item sizes for the array element types that have one. */
const FIXED_SIZE: Readonly<Record<number, number>> = {
  0x03: 1, 0x04: 1, 0x05: 2, 0x06: 2, 0x07: 4, 0x08: 4, 0x09: 8, 0x0a: 8, 0x0b: 4, 0x0c: 8,
  0x0d: 4, 0x0f: 16, 0x11: 8, 0x12: 16, 0x14: 4, 0x15: 8,
};

export class ValueError extends Error {
  override readonly name = 'ValueError';
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function need(bytes: Uint8Array, size: number, type: number): void {
  if (bytes.length < size) throw new ValueError(`value of type 0x${type.toString(16)} needs ${size} bytes, has ${bytes.length}`);
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out.toUpperCase();
}

export function decodeUtf16(bytes: Uint8Array): string {
  const even = bytes.length % 2 === 0 ? bytes : bytes.subarray(0, bytes.length - 1);
  let text = utf16.decode(even);
  // TextDecoder turns a lone surrogate into U+FFFD; Windows stores UTF-16 code units as they came, so a text with
  // a replacement character is decoded again unit by unit to keep what was logged (the renderer escapes lone
  // surrogates). Rare, so the fast decoder stays the common path.
  if (text.includes('\uFFFD')) text = codeUnits(even);
  const nul = text.indexOf('\u0000');
  return nul === -1 ? text : text.slice(0, nul);
}

function codeUnits(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length / 2);
  for (let i = 0; i < units.length; i++) units[i] = (bytes[i * 2] as number) | ((bytes[i * 2 + 1] as number) << 8);
  let out = '';
  for (let i = 0; i < units.length; i += 8192) out += String.fromCharCode(...units.subarray(i, i + 8192));
  return out;
}

function formatGuid(b: Uint8Array): string {
  const v = view(b);
  const h = (n: number, w: number): string => n.toString(16).padStart(w, '0');
  const tail = hex(b.subarray(8, 16));
  return `{${h(v.getUint32(0, true), 8)}-${h(v.getUint16(4, true), 4)}-${h(v.getUint16(6, true), 4)}-`.toUpperCase() + `${tail.slice(0, 4)}-${tail.slice(4)}}`;
}

function formatSid(b: Uint8Array): string {
  need(b, 8, VALUE_TYPE.sid);
  const revision = b[0] as number;
  const count = b[1] as number;
  need(b, 8 + count * 4, VALUE_TYPE.sid);
  let authority = 0;
  for (let i = 2; i < 8; i++) authority = authority * 256 + (b[i] as number);
  const v = view(b);
  let out = `S-${revision}-${authority}`;
  for (let i = 0; i < count; i++) out += `-${v.getUint32(8 + i * 4, true)}`;
  return out;
}

function formatReal(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toPrecision(15).replace(/0+$/, '').replace(/\.$/, '');
}

/** Renders one value of a scalar type from exactly its bytes. */
function renderScalar(type: number, b: Uint8Array): string {
  const size = FIXED_SIZE[type];
  if (size !== undefined) need(b, size, type);
  const v = view(b);
  switch (type) {
    case VALUE_TYPE.null:
      return '';
    case VALUE_TYPE.string:
      return decodeUtf16(b);
    case VALUE_TYPE.ansiString: {
      const text = latin1.decode(b);
      const nul = text.indexOf('\u0000');
      return nul === -1 ? text : text.slice(0, nul);
    }
    case VALUE_TYPE.int8:
      return String(v.getInt8(0));
    case VALUE_TYPE.uint8:
      return String(v.getUint8(0));
    case VALUE_TYPE.int16:
      return String(v.getInt16(0, true));
    case VALUE_TYPE.uint16:
      return String(v.getUint16(0, true));
    case VALUE_TYPE.int32:
      return String(v.getInt32(0, true));
    case VALUE_TYPE.uint32:
      return String(v.getUint32(0, true));
    case VALUE_TYPE.int64:
      return String(v.getBigInt64(0, true));
    case VALUE_TYPE.uint64:
      return String(v.getBigUint64(0, true));
    case VALUE_TYPE.real32:
      return formatReal(v.getFloat32(0, true));
    case VALUE_TYPE.real64:
      return formatReal(v.getFloat64(0, true));
    case VALUE_TYPE.bool:
      return v.getUint32(0, true) === 0 ? 'false' : 'true';
    case VALUE_TYPE.binary:
      return hex(b);
    case VALUE_TYPE.guid:
      return formatGuid(b);
    case VALUE_TYPE.sizeT:
      return b.length >= 8 ? `0x${v.getBigUint64(0, true).toString(16)}` : (need(b, 4, type), `0x${v.getUint32(0, true).toString(16)}`);
    case VALUE_TYPE.filetime:
      return formatFiletime(v.getBigUint64(0, true));
    case VALUE_TYPE.systemtime:
      return formatSystemtime(Array.from({ length: 8 }, (_, i) => v.getUint16(i * 2, true)));
    case VALUE_TYPE.sid:
      return formatSid(b);
    case VALUE_TYPE.hexInt32:
      return `0x${v.getUint32(0, true).toString(16)}`;
    case VALUE_TYPE.hexInt64:
      return `0x${v.getBigUint64(0, true).toString(16)}`;
    case VALUE_TYPE.evtHandle:
    case VALUE_TYPE.evtXml:
      return hex(b);
    default:
      throw new ValueError(`unknown value type 0x${type.toString(16)}`);
  }
}

/** Splits an array value into its items: strings by their terminators, other types by their fixed size. */
function arrayItems(itemType: number, b: Uint8Array): Uint8Array[] {
  const items: Uint8Array[] = [];
  if (itemType === VALUE_TYPE.string) {
    let start = 0;
    for (let i = 0; i + 1 < b.length; i += 2) {
      if (b[i] === 0 && b[i + 1] === 0) {
        items.push(b.subarray(start, i));
        start = i + 2;
      }
    }
    if (start < b.length) items.push(b.subarray(start));
    return items;
  }
  if (itemType === VALUE_TYPE.ansiString) {
    let start = 0;
    for (let i = 0; i < b.length; i++) {
      if (b[i] === 0) {
        items.push(b.subarray(start, i));
        start = i + 1;
      }
    }
    if (start < b.length) items.push(b.subarray(start));
    return items;
  }
  const size = itemType === VALUE_TYPE.sizeT ? 8 : FIXED_SIZE[itemType];
  if (size === undefined) throw new ValueError(`arrays of type 0x${itemType.toString(16)} are not defined`);
  if (b.length % size !== 0) throw new ValueError(`array of type 0x${itemType.toString(16)}: ${b.length} bytes is not a multiple of ${size}`);
  for (let i = 0; i < b.length; i += size) items.push(b.subarray(i, i + size));
  return items;
}

/** Renders each item of an array value (type | 0x80) as text, before XML escaping. */
export function renderArrayItems(type: number, bytes: Uint8Array): string[] {
  const itemType = type & 0x7f;
  return arrayItems(itemType, bytes).map((item) => renderScalar(itemType, item));
}

/** Renders a substitution value (not Binary XML) as text, before XML escaping. */
export function renderValue(type: number, bytes: Uint8Array): string {
  if (type & VALUE_TYPE.array) return renderArrayItems(type, bytes).join(',');
  return renderScalar(type, bytes);
}
