// A small seeded PRNG so a corpus is a pure function of its seed (no Math.random anywhere in the generator).
// mulberry32: 32-bit state, period 2^32, plenty for test data; forks derive independent streams by label so
// adding output to one file (e.g. --libvirtd-lines) never shifts the bytes of another.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** Float in [min, max). */
  float(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** `digits` lowercase hex digits. */
  hex(digits: number): string;
  /** An independent stream named by `label`, reproducible from the parent's seed alone. */
  fork(label: string): Rng;
}

/** FNV-1a 32-bit: a stable string hash for fork labels. */
export function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  const base = seed >>> 0;
  let state = base;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    float: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    hex: (digits) => {
      let out = '';
      while (out.length < digits) out += Math.floor(next() * 0x10000).toString(16).padStart(4, '0');
      return out.slice(0, digits);
    },
    fork: (label) => createRng((base ^ hashLabel(label)) >>> 0),
  };
  return rng;
}
