import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRulesText, RuleInvalidError } from '../../../services/alerter/core/rule-parse.js';
import { loadRules } from '../../../services/alerter/adapters/rules-fs.js';
import { HangwatchError } from '../../../shared/errors.js';

function problemsOf(text: string, file = 'rules/bad.yml'): string[] {
  try {
    parseRulesText(text, file);
  } catch (error) {
    assert.ok(error instanceof RuleInvalidError);
    assert.equal(error.code, 'HW_RULE_INVALID');
    return error.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
  }
  assert.fail('expected HW_RULE_INVALID');
}

test('rule errors name the file and the line of the offending value', () => {
  const problems = problemsOf(
    ['id: bad-rule', 'name: Bad', 'type: threshold', 'where:', '  - field: windows.bugcheck.code', '    in: []', 'window: 24', 'threshold: two', 'treshold: 2'].join('\n'),
  );
  assert.deepEqual(problems, [
    "rules/bad.yml:9: unknown key 'treshold' (allowed: id, name, description, type, where, group_by, window, threshold, distinct, quiet_period, throttle, message)",
    'rules/bad.yml:6: in must be a non-empty list of strings, numbers or booleans',
    'rules/bad.yml:7: window must be a duration with a unit like 90s, 15m, 24h, 7d (got 24)',
    'rules/bad.yml:8: threshold must be a whole number >= 1 (got "two")',
  ]);
});

test('missing keys point at the rule; YAML syntax errors at their line; the error message carries file:line', () => {
  assert.deepEqual(problemsOf('\n\nid: x\nname: X\ntype: cardinality\nwindow: 15m\nthreshold: 3\n'), ["rules/bad.yml:3: missing required key 'distinct'"]);
  const syntax = problemsOf('id: x\nname: X\ntype: threshold\nwhere: [\n  - a\n', 'rules/syntax.yml');
  assert.equal(syntax.length >= 1, true);
  assert.match(syntax[0] as string, /^rules\/syntax\.yml:\d+: YAML syntax/);
  try {
    parseRulesText('id: x\nname: X\ntype: sometimes\n', 'rules/t.yml');
    assert.fail('expected an error');
  } catch (error) {
    assert.ok(error instanceof HangwatchError);
    assert.equal(error.message, "invalid rule in rules/t.yml:3: type 'sometimes' must be one of threshold, cardinality, first-seen, exposure");
  }
});

test('a filter needs exactly one operator; first-seen rules refuse windows', () => {
  assert.deepEqual(problemsOf('id: x\nname: X\ntype: first-seen\nquiet_period: 1d\nwindow: 1h\nwhere:\n  - field: a.b\n    equals: 1\n    exists: true\n'), [
    'rules/bad.yml:7: filter on a.b needs exactly one of equals, in, exists, not_contains (found 2)',
    'rules/bad.yml:5: window has no meaning for a first-seen rule',
  ]);
});

test('loadRules reports problems of every file, and duplicate ids across files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-rules-'));
  try {
    const good = 'id: same\nname: A\ntype: first-seen\nquiet_period: 1d\n';
    writeFileSync(join(dir, 'a.yml'), good);
    writeFileSync(join(dir, 'b.yaml'), `# comment\n${good}`);
    writeFileSync(join(dir, 'notes.txt'), 'not a rule');
    assert.throws(() => loadRules(dir), (error: unknown) => {
      assert.ok(error instanceof RuleInvalidError);
      assert.equal(error.problems.length, 1);
      assert.match(`${error.problems[0]?.file}:${error.problems[0]?.line}: ${error.problems[0]?.message}`, /b\.yaml:2: rule id 'same' is already used at .*a\.yml:1$/);
      return true;
    });
    writeFileSync(join(dir, 'b.yaml'), 'id: other\nname: B\ntype: threshold\n');
    writeFileSync(join(dir, 'c.yml'), 'id: third\nname: C\ntype: first-seen\n');
    assert.throws(() => loadRules(dir), (error: unknown) => {
      assert.ok(error instanceof RuleInvalidError);
      assert.deepEqual(error.problems.map((p) => `${p.file.split('/').pop()}:${p.line}`), ['b.yaml:1', 'b.yaml:1', 'c.yml:1']);
      return true;
    });
    writeFileSync(join(dir, 'b.yaml'), '---\nid: b1\nname: B1\ntype: first-seen\nquiet_period: 2h\n---\nid: b2\nname: B2\ntype: first-seen\nquiet_period: 2h\n');
    writeFileSync(join(dir, 'c.yml'), '');
    assert.deepEqual(loadRules(dir).map((r) => `${r.id}@${r.source.line}`), ['same@1', 'b1@2', 'b2@7']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadRules on a missing folder is HW_INPUT_UNREADABLE', () => {
  assert.throws(() => loadRules('/nonexistent/rules'), (error: unknown) => error instanceof HangwatchError && error.code === 'HW_INPUT_UNREADABLE');
});
