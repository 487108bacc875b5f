// A validated alert rule, as the engine uses it (durations already in milliseconds). Rule files
// (rules/*.yml) are parsed and checked into this shape by rule-parse.ts.

export type Scalar = string | number | boolean;

export type Filter =
  | { readonly field: string; readonly op: 'equals'; readonly value: Scalar }
  | { readonly field: string; readonly op: 'in'; readonly values: readonly Scalar[] }
  | { readonly field: string; readonly op: 'exists'; readonly exists: boolean }
  | { readonly field: string; readonly op: 'not_contains'; readonly value: Scalar };

export const RULE_TYPES = ['threshold', 'cardinality', 'first-seen', 'exposure'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

interface RuleCommon {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Every filter must hold (AND). */
  readonly where: readonly Filter[];
  /** Fields whose values, joined with `/`, form alert.key; empty means one fleet-wide key. */
  readonly groupBy: readonly string[];
  /** After the condition last held, how long it must stay clear before the episode closes. */
  readonly quietPeriodMs: number;
  /** Minimum event-time interval between two `updated` notifications of one episode. */
  readonly throttleMs: number;
  /** Message template for open/updated; `{{path}}` reads the alert or the latest incident. */
  readonly message: string;
  /** Where it was declared, for listings and error messages. */
  readonly source: { readonly file: string; readonly line: number };
}

export interface ThresholdRule extends RuleCommon {
  readonly type: 'threshold';
  readonly windowMs: number;
  /** The condition holds when at least this many incidents fall in the window. */
  readonly threshold: number;
}

export interface CardinalityRule extends RuleCommon {
  readonly type: 'cardinality';
  readonly windowMs: number;
  /** The condition holds when at least this many distinct values of `distinct` fall in the window. */
  readonly threshold: number;
  readonly distinct: string;
}

export interface FirstSeenRule extends RuleCommon {
  readonly type: 'first-seen';
}

/**
 * Over audit findings (`hangwatch audit --kafka`, topic hangwatch.audit.v1), not incidents: an episode opens when
 * a finding of a key matches `where`, and closes when a later finding of the same key does not (the domain was
 * fixed). No window, threshold, quiet period or throttle: the audit is the state, each finding a new reading.
 */
export interface ExposureRule extends RuleCommon {
  readonly type: 'exposure';
}

/** The rules the incident engine (engine.ts) evaluates. */
export type IncidentRule = ThresholdRule | CardinalityRule | FirstSeenRule;

export type Rule = IncidentRule | ExposureRule;

export function isIncidentRule(rule: Rule): rule is IncidentRule {
  return rule.type !== 'exposure';
}

export function isExposureRule(rule: Rule): rule is ExposureRule {
  return rule.type === 'exposure';
}

/** The key used when a rule has no group-by fields. */
export const FLEET_KEY = 'fleet';
