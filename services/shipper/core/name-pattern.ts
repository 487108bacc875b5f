// File name patterns of folder inputs (`*.log`, `libvirtd.log*`, `*/windbg-*.txt`): `*` and `?` never cross a
// `/`; a pattern without `/` is matched against the file's own name, one with `/` against the path relative to
// the folder, so `include: ["*.log"]` works at any depth of a recursive guests folder.

export interface NameMatcher {
  matches(relativePath: string): boolean;
}

export function compileNamePatterns(include: readonly string[], exclude: readonly string[]): NameMatcher {
  const inc = include.map(compileOne);
  const exc = exclude.map(compileOne);
  return {
    matches(relativePath: string): boolean {
      const base = relativePath.slice(relativePath.lastIndexOf('/') + 1);
      const test = (p: CompiledPattern): boolean => p.regex.test(p.whole ? relativePath : base);
      return inc.some(test) && !exc.some(test);
    },
  };
}

interface CompiledPattern {
  readonly regex: RegExp;
  readonly whole: boolean;
}

function compileOne(pattern: string): CompiledPattern {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return { regex: new RegExp(`^${source}$`), whole: pattern.includes('/') };
}

/** Splits a `file` input's path into its folder and the pattern of its last part. */
export function splitFilePattern(path: string): { readonly folder: string; readonly pattern: string } {
  const at = path.lastIndexOf('/');
  return { folder: at <= 0 ? '/' : path.slice(0, at), pattern: path.slice(at + 1) };
}
