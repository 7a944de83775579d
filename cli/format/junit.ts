/**
 * JUnit XML for CI test reports: one `<testsuite>` per scenario variant, one `<testcase>` per property
 * (classname `scenario.variant`, name = the property). Under `check` a violated property is a failure;
 * under `gate` the case is judged against the variant's expectation, so a property expected to be
 * violated and found violated passes (its trace goes to `<system-out>`), and an unexpected violation or a
 * missing expected one fails with the trace in the failure. Properties the search never established
 * (it stopped at a violation, a bound or the timeout) are `<skipped>` with the reason; a scenario that
 * does not build is an `<error>`.
 *
 * The XML is built as data first (`JunitSuite`) and serialised by `junitXml`, which escapes every
 * attribute and text node and drops the characters XML 1.0 cannot carry at all. The output is valid against
 * the Jenkins junit-10 XSD (test/cli/junitSchema.test.ts checks it with xmllint).
 */
import { formatModelErrorTrace, formatTraceText, type CompiledSystem, type Violation } from '../../checker/index.js';
import type { GateEntry, GateReport, ScenarioRun } from '../../scenarios/index.js';
import { paramsSuffix } from './common.js';

export type CaseOutcome =
  | { readonly kind: 'pass'; readonly output?: string }
  | { readonly kind: 'failure'; readonly type: string; readonly message: string; readonly body: string }
  | { readonly kind: 'skipped'; readonly message: string }
  | { readonly kind: 'error'; readonly type: string; readonly message: string; readonly body?: string };

export interface JunitCase {
  readonly classname: string;
  readonly name: string;
  readonly outcome: CaseOutcome;
}

export interface JunitSuite {
  readonly name: string;
  readonly seconds: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly cases: readonly JunitCase[];
}

// XML 1.0 allows #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]; anything else
// (other control characters, lone surrogates, U+FFFE/U+FFFF) cannot be written even as a reference.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(s: string): string {
  return s.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values: quotes escaped, and line breaks and tabs as references so parsers keep them. */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

export function junitXml(name: string, suites: readonly JunitSuite[]): string {
  const count = (k: CaseOutcome['kind']): number => suites.reduce((n, s) => n + s.cases.filter((c) => c.outcome.kind === k).length, 0);
  const secs = (x: number): string => x.toFixed(3);
  const total = suites.reduce((n, s) => n + s.cases.length, 0);
  const time = suites.reduce((t, s) => t + s.seconds, 0);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    // Jenkins' junit-10 schema allows `skipped` on <testsuite> but not on <testsuites>: the total is per suite.
    `<testsuites name="${xmlAttr(name)}" tests="${total}" failures="${count('failure')}" errors="${count('error')}" time="${secs(time)}">`,
  );
  for (const s of suites) {
    const n = (k: CaseOutcome['kind']): number => s.cases.filter((c) => c.outcome.kind === k).length;
    out.push(
      `  <testsuite name="${xmlAttr(s.name)}" tests="${s.cases.length}" failures="${n('failure')}" errors="${n('error')}" skipped="${n('skipped')}" time="${secs(s.seconds)}">`,
    );
    const props = Object.entries(s.properties);
    if (props.length) {
      out.push('    <properties>');
      for (const [k, v] of props) out.push(`      <property name="${xmlAttr(k)}" value="${xmlAttr(v)}"/>`);
      out.push('    </properties>');
    }
    for (const c of s.cases) {
      const open = `    <testcase classname="${xmlAttr(c.classname)}" name="${xmlAttr(c.name)}"`;
      const o = c.outcome;
      if (o.kind === 'pass' && o.output === undefined) {
        out.push(`${open}/>`);
        continue;
      }
      out.push(`${open}>`);
      if (o.kind === 'pass') out.push(`      <system-out>${xmlText(o.output!)}</system-out>`);
      else if (o.kind === 'skipped') out.push(`      <skipped message="${xmlAttr(o.message)}"/>`);
      else if (o.kind === 'failure') out.push(`      <failure type="${xmlAttr(o.type)}" message="${xmlAttr(o.message)}">${xmlText(o.body)}</failure>`);
      else out.push(`      <error type="${xmlAttr(o.type)}" message="${xmlAttr(o.message)}">${xmlText(o.body ?? '')}</error>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

/** The text a failing (or expected-violation) case carries: the violation, the trace, how to reproduce. */
function traceBody(v: Violation, system: CompiledSystem, reproduce: string): string {
  const actors = system.actors.map((a) => a.name);
  return `${v.kind} '${v.property}' violated: ${v.message}\n\n${formatTraceText(v.trace, { actors })}\n\nReproduce: ${reproduce}\n`;
}

function suiteName(run: { scenario: string; variant: string; params: Readonly<Record<string, number>> }): string {
  return `${run.scenario}:${run.variant}${paramsSuffix(run.params)}`;
}

function paramProperties(params: Readonly<Record<string, number>>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [`param.${k}`, String(v)]));
}

const notEstablished = (run: ScenarioRun): string => {
  const r = run.result;
  const first = r.violations[0];
  if (first) return `not established: the search stopped at the violation of '${first.property}'`;
  return `not established: ${(r.verdict === 'inconclusive' ? r.inconclusive?.message : undefined) ?? 'the search stopped'}`;
};

/** Every case of a run with a model error is an error: the model must be fixed before any property is judged. */
function modelErrorCase(run: ScenarioRun, system: CompiledSystem, classname: string, name: string, reproduce: string): JunitCase {
  // Also a verdict this version does not know (from a newer faultline's JSON): no model error to show then.
  const m = run.result.verdict === 'model-error' ? run.result.modelError : undefined;
  const message = `model error: ${m?.message ?? run.result.verdict}`;
  const trace = m ? `\n\n${formatModelErrorTrace(m, { actors: system.actors.map((a) => a.name) })}` : '';
  return { classname, name, outcome: { kind: 'error', type: 'model-error', message, body: `${message}${trace}\n\nReproduce: ${reproduce}\n` } };
}

/** The properties of the result (the system's, then `assertion`), then any expected one it lacks. */
function caseNames(run: ScenarioRun, extra: readonly string[] = []): string[] {
  const names = run.result.properties.map((p) => p.name);
  for (const n of extra) if (!names.includes(n)) names.push(n);
  return names;
}

const holds = (run: ScenarioRun, name: string): boolean => run.result.properties.some((p) => p.name === name && p.status === 'holds');

/** `faultline check --format junit`: every violated property fails. */
export function checkSuite(run: ScenarioRun, system: CompiledSystem, reproduce: string): JunitSuite {
  const classname = `${run.scenario}.${run.variant}`;
  const r = run.result;
  const cases = caseNames(run).map((name): JunitCase => {
    const v = r.violations.find((x) => x.property === name);
    if (r.verdict === 'model-error') return modelErrorCase(run, system, classname, name, reproduce);
    if (v)
      return {
        classname,
        name,
        outcome: { kind: 'failure', type: v.kind, message: `${v.kind} '${v.property}' violated: ${v.message}`, body: traceBody(v, system, reproduce) },
      };
    if (holds(run, name)) return { classname, name, outcome: { kind: 'pass' } };
    return { classname, name, outcome: { kind: 'skipped', message: notEstablished(run) } };
  });
  return {
    name: suiteName(run),
    seconds: r.stats.seconds,
    properties: { strategy: r.strategy, ...reductionProperties(r), ...paramProperties(run.params) },
    cases,
  };
}

/** One gate entry: each property judged against the variant's expectation. */
export function gateSuite(e: GateEntry): JunitSuite {
  const classname = `${e.scenario}.${e.variant}`;
  const base = { name: suiteName(e), properties: { expected: expectationText(e), status: e.status, ...paramProperties(e.params) } };
  if (!e.run || !e.system) {
    return { ...base, seconds: 0, cases: [{ classname, name: 'build', outcome: { kind: 'error', type: 'error', message: e.message } }] };
  }
  const run = e.run;
  const system = e.system;
  const r = run.result;
  const reproduce = `faultline check ${e.target}:${e.variant}`;
  const first = r.violations[0];
  const expectedProp = e.expected.verdict === 'violated' ? e.expected.property : undefined;
  const cases = caseNames(run, expectedProp === undefined ? [] : [expectedProp]).map((name): JunitCase => {
    const v = r.violations.find((x) => x.property === name);
    const body = v ? traceBody(v, system, reproduce) : '';
    // A model error (or a verdict this version does not know) is never an expected result.
    if (r.verdict !== 'holds' && r.verdict !== 'violated' && r.verdict !== 'inconclusive') return modelErrorCase(run, system, classname, name, reproduce);
    if (r.verdict === 'inconclusive') return { classname, name, outcome: { kind: 'skipped', message: notEstablished(run) } };
    if (v) {
      const expectedHere = e.expected.verdict === 'violated' && (expectedProp === undefined || expectedProp === name);
      if (expectedHere) return { classname, name, outcome: { kind: 'pass', output: `expected violation found\n${body}` } };
      return { classname, name, outcome: { kind: 'failure', type: 'unexpected-violation', message: `${e.message}`, body } };
    }
    if (name === expectedProp) {
      const message = first
        ? `expected a violation of '${name}'; the first violation found is of '${first.property}'`
        : `expected a violation of '${name}'; every property holds`;
      return { classname, name, outcome: { kind: 'failure', type: 'missing-violation', message, body: `${message}\nReproduce: ${reproduce}\n` } };
    }
    if (holds(run, name)) return { classname, name, outcome: { kind: 'pass' } };
    return { classname, name, outcome: { kind: 'skipped', message: notEstablished(run) } };
  });
  return { ...base, properties: { ...base.properties, ...reductionProperties(r) }, seconds: r.stats.seconds, cases };
}

/** `reduction` (the one applied) and, when one was switched off, `reduction-note`. */
function reductionProperties(r: ScenarioRun['result']): Record<string, string> {
  if (!r.reduction) return {};
  return { reduction: r.reduction.applied, ...(r.reduction.notes.length ? { 'reduction-note': r.reduction.notes.join('; ') } : {}) };
}

export function expectationText(e: { expected: GateEntry['expected'] }): string {
  return e.expected.verdict === 'holds' ? 'holds' : `violates ${e.expected.property ?? 'some property'}`;
}

export function gateJunit(report: GateReport): string {
  return junitXml('faultline gate', report.entries.map(gateSuite));
}

export function checkJunit(run: ScenarioRun, system: CompiledSystem, reproduce: string): string {
  return junitXml('faultline check', [checkSuite(run, system, reproduce)]);
}
