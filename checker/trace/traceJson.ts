/**
 * The JSON form of a counterexample, schema-versioned, that `faultline replay FILE` re-executes:
 * `{ schema, scenario, variant, params, strategy, seed, violation, steps: [{ actor, transition, choice }],
 * loop? }`. `loop` (as in Quint's ITF traces) is the index of the first step of a lasso's cycle.
 */
import type { ModelError, ModelErrorKind, Violation } from '../result.js';
import { MAX_WORKERS } from '../search/parallel/pool.js';

export const TRACE_SCHEMA = 'faultline/trace@1';

export interface TraceFile {
  readonly schema: typeof TRACE_SCHEMA;
  readonly scenario: string;
  readonly variant: string;
  readonly params: Readonly<Record<string, number>>;
  readonly strategy: string;
  readonly seed: number | null;
  /**
   * A model error is written as `kind: 'model-error'`, `property`: its subject, `modelError`: its kind, and
   * `threads` when only a check on that many threads shows it (ModelError.threads).
   */
  readonly violation: {
    readonly property: string;
    readonly kind: string;
    readonly message: string;
    readonly modelError?: ModelErrorKind;
    readonly threads?: number;
  };
  readonly steps: readonly { readonly actor: string; readonly transition: string; readonly choice: number; readonly label?: string }[];
  readonly loop?: number;
}

export function toTraceFile(
  v: Pick<Violation, 'trace' | 'message' | 'property'> & { readonly kind: string; readonly modelError?: ModelErrorKind; readonly threads?: number },
  context: { scenario: string; variant: string; params: Readonly<Record<string, number>>; strategy: string; seed?: number | null },
): TraceFile {
  return {
    schema: TRACE_SCHEMA,
    scenario: context.scenario,
    variant: context.variant,
    params: context.params,
    strategy: context.strategy,
    seed: context.seed ?? null,
    violation: {
      property: v.property,
      kind: v.kind,
      message: v.message,
      ...(v.modelError ? { modelError: v.modelError } : {}),
      ...(v.threads ? { threads: v.threads } : {}),
    },
    steps: v.trace.steps.map((s) => ({ actor: s.actor, transition: s.transition, choice: s.choice, label: s.label })),
    ...(v.trace.loop === undefined ? {} : { loop: v.trace.loop }),
  };
}

/** A model error as a violation for the trace file: `replay` reproduces it as `check` reported it. */
export function modelErrorAsViolation(
  m: ModelError,
): Pick<Violation, 'trace' | 'message' | 'property'> & { kind: 'model-error'; modelError: ModelErrorKind; threads?: number } {
  return { property: m.subject, kind: 'model-error', modelError: m.kind, message: m.message, trace: m.trace, ...(m.threads ? { threads: m.threads } : {}) };
}

export class TraceFileError extends Error {
  override name = 'TraceFileError';
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A value from the file, named without serialising it (it can be nested deeper than the stack). */
function shown(x: unknown): string {
  if (x === undefined) return 'missing';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object' && x !== null) return 'an object';
  if (typeof x === 'string') return JSON.stringify(x.length > 60 ? `${x.slice(0, 60)}...` : x);
  return String(x);
}

/** Validates parsed JSON as a trace file; throws TraceFileError naming the first thing wrong. */
export function parseTraceFile(data: unknown): TraceFile {
  const fail = (msg: string): never => {
    throw new TraceFileError(msg);
  };
  if (!isRecord(data)) return fail('the trace file is not a JSON object');
  if (data.schema !== TRACE_SCHEMA) fail(`unsupported trace schema ${shown(data.schema)} (expected "${TRACE_SCHEMA}")`);
  for (const k of ['scenario', 'variant', 'strategy'] as const) if (typeof data[k] !== 'string') fail(`"${k}" must be a string`);
  if (!isRecord(data.params)) fail('"params" must be an object of numbers');
  const params = data.params as Record<string, unknown>;
  for (const [k, v] of Object.entries(params)) if (typeof v !== 'number' || !Number.isInteger(v)) fail(`param "${k}" must be a whole number`);
  if (data.seed !== null && data.seed !== undefined && (typeof data.seed !== 'number' || !Number.isInteger(data.seed)))
    fail('"seed" must be a whole number or null');
  const v = data.violation;
  if (!isRecord(v) || typeof v.property !== 'string' || typeof v.kind !== 'string' || typeof v.message !== 'string') {
    fail('"violation" must be { property, kind, message } strings');
  }
  if (isRecord(v) && v.kind === 'model-error' && !['property-threw', 'nondeterministic', 'xstate-mismatch', 'label-threw'].includes(v.modelError as string)) {
    fail('"violation.modelError" must be property-threw, nondeterministic, xstate-mismatch or label-threw');
  }
  if (isRecord(v) && v.threads !== undefined) {
    if (v.kind !== 'model-error' || v.modelError !== 'nondeterministic') fail('"violation.threads" belongs to a nondeterministic model error only');
    if (typeof v.threads !== 'number' || !Number.isInteger(v.threads) || v.threads < 2 || v.threads > MAX_WORKERS) {
      fail(`"violation.threads" must be a whole number from 2 to ${MAX_WORKERS}`);
    }
  }
  if (!Array.isArray(data.steps)) return fail('"steps" must be an array');
  data.steps.forEach((s: unknown, i: number) => {
    if (!isRecord(s) || typeof s.actor !== 'string' || typeof s.transition !== 'string' || typeof s.choice !== 'number' || !Number.isInteger(s.choice)) {
      fail(`step ${i + 1} must be { actor: string, transition: string, choice: whole number }`);
    }
  });
  if (data.loop !== undefined && (typeof data.loop !== 'number' || !Number.isInteger(data.loop) || data.loop < 0 || data.loop >= data.steps.length)) {
    fail(`"loop" must be a step index in 0..${data.steps.length - 1}`);
  }
  return data as unknown as TraceFile;
}
