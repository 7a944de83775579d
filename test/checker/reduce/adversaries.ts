/**
 * Small user-style models written to break the soundness arguments of the reductions (issue 9): each one
 * aims at one argument of por.ts, footprint.ts, channelOps.ts or symmetry.ts, and `compareReductions`
 * checks it under every reduction against the unreduced search.
 */
import assert from 'node:assert/strict';
import { assign, setup, type AnyStateMachine } from 'xstate';
import { check, compileSystem, replay, resolveStep, type CheckOptions, type CheckResult, type StepEvent, type SystemSpec } from '../../../checker/index.js';
import type { Reduction } from '../../../checker/reduce/reduction.js';

export type AnyWorld = any;
export type Ev = StepEvent<string, AnyWorld>;
interface Args {
  readonly context: AnyWorld;
  readonly event: Ev;
}

/** One transition of a program: its event, an optional guard, an optional effect, and where it goes (default: the next state). */
export interface Op {
  readonly on: string;
  readonly when?: (world: AnyWorld, ctx: AnyWorld, choice: number) => unknown;
  readonly do?: (world: AnyWorld, ctx: AnyWorld, choice: number) => void;
  /** A context field set by the step (a function of the pre-state), as `assign` does. */
  readonly set?: Readonly<Record<string, (world: AnyWorld, ctx: AnyWorld, choice: number) => number>>;
  /** A state index, or 'done', or 'stay' (a self loop); default: the next state (or done after the last). */
  readonly to?: number | 'done' | 'stay';
}

/**
 * A machine whose states are `program`'s entries (s0, s1, ...) and a final `done`: entry k lists the
 * transitions of state k.
 */
export function programme(id: string, program: readonly (readonly Op[])[], context: Record<string, number> = {}): AnyStateMachine {
  const states: Record<string, unknown> = { done: { type: 'final' } };
  program.forEach((ops, k) => {
    const on: Record<string, unknown[]> = {};
    for (const op of ops) {
      const target = op.to === 'stay' ? undefined : op.to === 'done' || (op.to === undefined && k + 1 >= program.length) ? 'done' : `s${op.to ?? k + 1}`;
      const actions: unknown[] = [];
      if (op.set) actions.push(assignOf(op.set));
      if (op.do) {
        const f = op.do;
        actions.push(({ context: c, event }: Args) => f(event.world, c, event.choice));
      }
      const t: Record<string, unknown> = { actions };
      if (target) t.target = target;
      if (op.when) {
        const g = op.when;
        t.guard = ({ context: c, event }: Args) => Boolean(g(event.world, c, event.choice));
      }
      (on[op.on] ??= []).push(t);
    }
    states[`s${k}`] = { on };
  });
  return setup({ types: { context: {} as Record<string, number>, events: {} as Ev } }).createMachine({
    id,
    initial: program.length ? 's0' : 'done',
    context: ({ input }: { input: unknown }) => ({ ...context, ...((input as Record<string, number> | undefined) ?? {}) }),
    states: states as never,
  }) as unknown as AnyStateMachine;
}

function assignOf(set: NonNullable<Op['set']>): unknown {
  return assign(Object.fromEntries(Object.entries(set).map(([k, f]) => [k, ({ context, event }: Args) => f(event.world, context, event.choice)])) as never);
}

/** What must be the same with and without a reduction. */
export function outcome(r: CheckResult): unknown {
  return {
    verdict: r.verdict,
    violated: r.violations.map((v) => v.property).sort(),
    worst: r.bounds.map((b) => `${b.property}=${b.worst}`),
    modelError: r.verdict === 'model-error' ? r.modelError.kind : undefined,
  };
}

/**
 * Checks `spec` unreduced and under each of `reductions` (bfs and dfs, every violation collected): the same
 * outcome, and every reduced counterexample replays as a real execution of the unreduced system. Returns
 * the reduced results, for the caller's own assertions.
 */
export function compareReductions(
  spec: SystemSpec<AnyWorld>,
  reductions: readonly Reduction[] = ['por', 'symmetry', 'all'],
  more: CheckOptions = {},
): Map<string, CheckResult> {
  const system = compileSystem(spec);
  const out = new Map<string, CheckResult>();
  // bfs and dfs collecting every violation, and bfs stopping at the first (the default).
  const runs = [
    { stopAtFirstViolation: false, strategy: 'bfs' },
    { stopAtFirstViolation: false, strategy: 'dfs' },
    { stopAtFirstViolation: true, strategy: 'bfs' },
  ] as const;
  for (const run of runs) {
    const strategy = `${run.strategy}${run.stopAtFirstViolation ? '-first' : ''}`;
    const options = { ...run, ...more };
    const none = check(system, options);
    for (const reduce of reductions) {
      const r = check(system, { ...options, reduce });
      out.set(`${strategy}/${reduce}`, r);
      // Stopping at the first violation, which one is found first may differ: the verdict may not.
      const seen = run.stopAtFirstViolation ? (x: CheckResult) => x.verdict : outcome;
      assert.deepEqual(seen(r), seen(none), `${spec.name}, ${strategy}, --reduce ${reduce} (${JSON.stringify(r.reduction)})`);
      for (const v of r.violations) {
        const steps = v.trace.steps.map((s) => resolveStep(system, s.actor, s.transition, s.choice) as number);
        const again = replay(system, steps, v.trace.loop, { property: v.property, kind: v.kind });
        assert.equal(again.status, 'reproduced', `${spec.name}, ${strategy}, --reduce ${reduce}: ${v.property}'s trace does not replay`);
      }
    }
  }
  return out;
}
