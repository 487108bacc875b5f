import { LineCounter, isMap, isSeq, parseAllDocuments, type Document } from 'yaml';
import { HangwatchError } from '../../../shared/errors.js';
import { parseDurationMs } from './duration.js';
import { RULE_TYPES, type Filter, type Rule, type RuleType, type Scalar } from './rule.js';

// Rule files are data (rules/*.yml). Every problem names file and line, taken from yaml's node ranges through
// a LineCounter, so `hangwatch alerts check` reads like a compiler: `rules/x.yml:7: threshold must be ...`.
// One file may hold several rules as YAML documents separated by `---`.

export interface RuleProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** HW_RULE_INVALID carrying every problem found, not just the first. */
export class RuleInvalidError extends HangwatchError {
  readonly problems: readonly RuleProblem[];
  constructor(problems: readonly RuleProblem[]) {
    const [first, ...rest] = problems;
    const head = first ? [`${first.file}:${first.line}`, first.message] : ['(no file)', 'unknown problem'];
    const tail = rest.map((p) => `\n  ${p.file}:${p.line}: ${p.message}`).join('');
    super('HW_RULE_INVALID', [head[0] as string, `${head[1]}${tail}`]);
    this.problems = problems;
  }
}

const KNOWN_KEYS = ['id', 'name', 'description', 'type', 'where', 'group_by', 'window', 'threshold', 'distinct', 'quiet_period', 'throttle', 'message'] as const;
const FILTER_OPS = ['equals', 'in', 'exists', 'not_contains'] as const;
const ID_RE = /^[a-z0-9][a-z0-9-]*$/;
const FIELD_RE = /^[A-Za-z@_][\w@.-]*$/;

export const DEFAULT_MESSAGE = '{{rule.name}} on {{alert.key}}: {{alert.count}} incidents since {{alert.first_seen}}; top diagnosis {{diagnosis}}';

type Path = readonly (string | number)[];

class ProblemList {
  readonly items: RuleProblem[] = [];
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  add(doc: Document, path: Path, message: string): void {
    this.items.push({ file: this.file, line: this.lineOf(doc, path), message });
  }

  addAt(offset: number, message: string): void {
    this.items.push({ file: this.file, line: this.lines.linePos(offset).line, message });
  }

  /** Line of the node at path, or of its nearest existing ancestor (a missing key points at its map). */
  lineOf(doc: Document, path: Path): number {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return this.lines.linePos(range[0]).line;
    }
    return 1;
  }
}

/** Parses one rule file's text. Throws RuleInvalidError listing every problem with file:line. */
export function parseRulesText(text: string, file: string): Rule[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems = new ProblemList(file, lines);
  const rules: Rule[] = [];
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) problems.addAt(0, 'not a YAML stream');
  for (const doc of list) {
    for (const error of doc.errors) problems.addAt(error.pos[0], `YAML syntax: ${error.message.split('\n')[0]}`);
    if (doc.errors.length > 0 || doc.contents === null) continue;
    const rule = checkRule(doc, problems, file);
    if (rule) rules.push(rule);
  }
  if (problems.items.length > 0) throw new RuleInvalidError(problems.items);
  return rules;
}

function checkRule(doc: Document, problems: ProblemList, file: string): Rule | undefined {
  const before = problems.items.length;
  if (!isMap(doc.contents)) {
    problems.add(doc, [], 'a rule must be a mapping with id, name, type, ...');
    return undefined;
  }
  const raw = doc.toJS() as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) problems.add(doc, [key], `unknown key '${key}' (allowed: ${KNOWN_KEYS.join(', ')})`);
  }
  const id = requireString(doc, problems, raw, 'id');
  if (id !== undefined && !ID_RE.test(id)) problems.add(doc, ['id'], `id '${id}' must be lowercase letters, digits and dashes`);
  const name = requireString(doc, problems, raw, 'name');
  const type = requireString(doc, problems, raw, 'type');
  if (type !== undefined && !(RULE_TYPES as readonly string[]).includes(type)) problems.add(doc, ['type'], `type '${type}' must be one of ${RULE_TYPES.join(', ')}`);
  const where = checkFilters(doc, problems, raw.where);
  const groupBy = checkGroupBy(doc, problems, raw.group_by);
  const windowMs = optionalDuration(doc, problems, raw, 'window');
  const quietMs = optionalDuration(doc, problems, raw, 'quiet_period');
  const throttleMs = optionalDuration(doc, problems, raw, 'throttle') ?? 0;
  const message = raw.message === undefined ? DEFAULT_MESSAGE : typeof raw.message === 'string' ? raw.message : undefined;
  if (message === undefined) problems.add(doc, ['message'], 'message must be a string');
  const description = typeof raw.description === 'string' ? raw.description : '';

  let threshold: number | undefined;
  if (type === 'threshold' || type === 'cardinality') {
    if (raw.window === undefined) problems.add(doc, [], `a ${type} rule needs window (e.g. 24h)`);
    else if (windowMs === 0) problems.add(doc, ['window'], 'window must be longer than 0');
    if (raw.threshold === undefined) problems.add(doc, [], `a ${type} rule needs threshold (a whole number >= 1)`);
    else if (typeof raw.threshold !== 'number' || !Number.isInteger(raw.threshold) || raw.threshold < 1) {
      problems.add(doc, ['threshold'], `threshold must be a whole number >= 1 (got ${JSON.stringify(raw.threshold)})`);
    } else threshold = raw.threshold;
  } else if (type === 'first-seen') {
    for (const key of ['window', 'threshold', 'distinct'] as const) {
      if (raw[key] !== undefined) problems.add(doc, [key], `${key} has no meaning for a first-seen rule`);
    }
    if (raw.quiet_period === undefined) problems.add(doc, [], 'a first-seen rule needs quiet_period (how long without a match before it closes)');
  } else if (type === 'exposure') {
    for (const key of ['window', 'threshold', 'distinct', 'quiet_period', 'throttle'] as const) {
      if (raw[key] !== undefined) problems.add(doc, [key], `${key} has no meaning for an exposure rule (it closes when a later audit finding of the key no longer matches)`);
    }
    // Without a filter every finding matches and nothing ever closes; without a key one domain's fix would close
    // another domain's exposure.
    if (where.length === 0 && raw.where === undefined) problems.add(doc, [], 'an exposure rule needs where (e.g. audit.status equals exposed)');
    if (groupBy.length === 0 && raw.group_by === undefined) problems.add(doc, [], 'an exposure rule needs group_by (e.g. [libvirt.hypervisor, libvirt.domain.name])');
  }
  let distinct: string | undefined;
  if (type === 'cardinality') {
    distinct = requireString(doc, problems, raw, 'distinct');
    if (distinct !== undefined && !FIELD_RE.test(distinct)) problems.add(doc, ['distinct'], `distinct '${distinct}' is not a dotted field name`);
  } else if (type === 'threshold' && raw.distinct !== undefined) {
    problems.add(doc, ['distinct'], 'distinct belongs to cardinality rules');
  }
  if (problems.items.length > before) return undefined;

  const line = problems.lineOf(doc, []);
  const common = {
    id: id as string,
    name: name as string,
    description,
    where,
    groupBy,
    throttleMs,
    message: message as string,
    source: { file, line },
  };
  switch (type as RuleType) {
    case 'threshold':
      return { ...common, type: 'threshold', windowMs: windowMs as number, threshold: threshold as number, quietPeriodMs: quietMs ?? (windowMs as number) };
    case 'cardinality':
      return { ...common, type: 'cardinality', windowMs: windowMs as number, threshold: threshold as number, distinct: distinct as string, quietPeriodMs: quietMs ?? (windowMs as number) };
    case 'first-seen':
      return { ...common, type: 'first-seen', quietPeriodMs: quietMs as number };
    case 'exposure':
      return { ...common, type: 'exposure', quietPeriodMs: 0, throttleMs: 0 };
  }
}

function requireString(doc: Document, problems: ProblemList, raw: Record<string, unknown>, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined) {
    problems.add(doc, [], `missing required key '${key}'`);
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    problems.add(doc, [key], `${key} must be a non-empty string`);
    return undefined;
  }
  return value;
}

function optionalDuration(doc: Document, problems: ProblemList, raw: Record<string, unknown>, key: string): number | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' ? parseDurationMs(value) : undefined;
  if (ms === undefined) problems.add(doc, [key], `${key} must be a duration with a unit like 90s, 15m, 24h, 7d (got ${JSON.stringify(value)})`);
  return ms;
}

function checkGroupBy(doc: Document, problems: ProblemList, value: unknown): string[] {
  if (value === undefined) return [];
  const fields = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (!fields) {
    problems.add(doc, ['group_by'], 'group_by must be a field name or a list of field names');
    return [];
  }
  fields.forEach((field, i) => {
    if (typeof field !== 'string' || !FIELD_RE.test(field)) problems.add(doc, typeof value === 'string' ? ['group_by'] : ['group_by', i], `group_by entry ${JSON.stringify(field)} is not a dotted field name`);
  });
  return fields.filter((f): f is string => typeof f === 'string');
}

function checkFilters(doc: Document, problems: ProblemList, value: unknown): Filter[] {
  if (value === undefined) return [];
  if (!isSeq(doc.getIn(['where'], true))) {
    problems.add(doc, ['where'], 'where must be a list of filters like "- field: windows.bugcheck.code\\n  in: [...]"');
    return [];
  }
  const out: Filter[] = [];
  (value as unknown[]).forEach((entry, i) => {
    const path = ['where', i];
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.add(doc, path, 'a filter must be a mapping with field and one of equals, in, exists, not_contains');
      return;
    }
    const filter = checkFilter(doc, problems, path, entry as Record<string, unknown>);
    if (filter) out.push(filter);
  });
  return out;
}

function checkFilter(doc: Document, problems: ProblemList, path: Path, entry: Record<string, unknown>): Filter | undefined {
  const field = entry.field;
  if (typeof field !== 'string' || !FIELD_RE.test(field)) {
    problems.add(doc, entry.field === undefined ? path : [...path, 'field'], 'a filter needs field: a dotted field name');
    return undefined;
  }
  for (const key of Object.keys(entry)) {
    if (key !== 'field' && !(FILTER_OPS as readonly string[]).includes(key)) problems.add(doc, [...path, key], `unknown filter operator '${key}' (use ${FILTER_OPS.join(', ')})`);
  }
  const ops = FILTER_OPS.filter((op) => entry[op] !== undefined);
  if (ops.length !== 1) {
    problems.add(doc, path, `filter on ${field} needs exactly one of ${FILTER_OPS.join(', ')} (found ${ops.length})`);
    return undefined;
  }
  const op = ops[0] as (typeof FILTER_OPS)[number];
  const operand = entry[op];
  switch (op) {
    case 'exists':
      if (typeof operand !== 'boolean') return void problems.add(doc, [...path, op], 'exists must be true or false');
      return { field, op, exists: operand };
    case 'in':
      if (!Array.isArray(operand) || operand.length === 0 || !operand.every(isScalar)) return void problems.add(doc, [...path, op], 'in must be a non-empty list of strings, numbers or booleans');
      return { field, op, values: operand };
    case 'equals':
    case 'not_contains':
      if (!isScalar(operand)) return void problems.add(doc, [...path, op], `${op} must be a string, number or boolean`);
      return { field, op, value: operand };
  }
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Rules from several files: ids must be unique across all of them. */
export function checkUniqueRuleIds(rules: readonly Rule[]): void {
  const seen = new Map<string, Rule>();
  const problems: RuleProblem[] = [];
  for (const rule of rules) {
    const earlier = seen.get(rule.id);
    if (earlier) problems.push({ file: rule.source.file, line: rule.source.line, message: `rule id '${rule.id}' is already used at ${earlier.source.file}:${earlier.source.line}` });
    else seen.set(rule.id, rule);
  }
  if (problems.length > 0) throw new RuleInvalidError(problems);
}
