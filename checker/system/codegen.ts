/**
 * Generates one `expand` function per system: the whole "which steps are enabled in this state, and what
 * does each do" of every actor, unrolled into straight-line JavaScript over the slot buffer. Each guard,
 * assign and effect is called from its own call site in the generated code, so V8 sees one target per
 * site and can inline the model's small functions; the interpreter-style loop in step.ts calls every
 * guard from one shared site and pays a full call each time. Step ids, slot offsets, targets and costs
 * are literals.
 *
 * Semantics are exactly Stepper's (step.ts): same order (actor, event in the state's order, choice), same
 * first-passing-guard rule, same in-order actions, same budget accounting; the tests compare the two.
 */
import { applyPartialAssign, coerceAssigned } from './assign.js';
import type { Args, CompiledAction } from './compile.js';
import type { Stepper } from './step.js';
import type { CompiledSystem } from './system.js';

/**
 * Called after each enabled step was applied to S; it must restore S to the pre-state before returning.
 * Returns true to stop the expansion (a violation was found and the search stops).
 */
export type EmitFn = (stepId: number) => boolean;
/** Called when a guard, choices function or action throws; must restore S. Returns true to stop. */
export type FailFn = (error: unknown, stepId: number) => boolean;
/** Expands the state in the stepper's buffer: returns the number of enabled steps, or -1 if stopped. */
export type ExpandFn = (emit: EmitFn, fail: FailFn) => number;

export function compileExpand(system: CompiledSystem, stepper: Stepper): ExpandFn {
  const consts: unknown[] = [];
  const ref = (v: unknown): string => {
    let i = consts.indexOf(v);
    if (i < 0) {
      i = consts.length;
      consts.push(v);
    }
    return `K[${i}]`;
  };
  const lines: string[] = [];
  const out = (s: string): void => {
    lines.push(s);
  };
  const slotValue = (v: string, actor: number, key: string): string =>
    `((typeof ${v} === 'number' && (${v} | 0) === ${v}) ? ${v} : coerce(${v}, ${actor}, ${JSON.stringify(key)}))`;

  let local = 0;
  out('let enabled = 0;');
  for (const actor of system.actors) {
    const a = actor.index;
    const args = `args${a}`;
    out(`// actor ${actor.name}`);
    out(`{ const ${args} = ${ref(stepper.runtimes[a]!.args)}; const ev = ${args}.event;`);
    out(`switch (S[${actor.stateSlot}]) {`);
    for (const [si, st] of actor.machine.states.entries()) {
      if (st.final || st.events.length === 0) continue;
      out(`case ${si}: {`);
      for (const e of st.events) {
        const cost = actor.cost[e.index]!;
        const count = actor.choices[e.index]!;
        const base = ((a << 24) | (e.index << 16)) >>> 0;
        out(actor.budgetSlot >= 0 && cost > 0 ? `if (S[${actor.budgetSlot}] >= ${cost}) {` : '{');
        out(`ev.type = ${JSON.stringify(e.type)}; ev.choice = 0;`);
        if (typeof count === 'number') {
          out(`const n = ${count};`);
        } else {
          out(
            `let n = 0; try { n = ${ref(count)}(${args}); if (!(n >= 0 && n <= 65535 && (n | 0) === n)) throw new Error(${JSON.stringify(`actor '${actor.name}': choices for '${e.type}' returned `)} + n + ', not a whole number in 0..65535'); } catch (err) { if (fail(err, ${base})) return -1; n = 0; }`,
          );
        }
        out(`for (let c = 0; c < n; c++) {`);
        out(`ev.choice = c; let t = -1;`);
        out('try {');
        // Guard chain: the first transition whose guard passes.
        const ts = e.transitions;
        const chain = ts.map((t, ti) => (t.guard === null ? `{ t = ${ti}; }` : `if (${ref(t.guard)}(${args})) { t = ${ti}; }`));
        out(chain.join(' else ') + ';');
        out('if (t < 0) continue;');
        out('enabled++;');
        out('switch (t) {');
        for (const [ti, t] of ts.entries()) {
          out(`case ${ti}: {`);
          for (const act of t.actions) genAction(act, a, args);
          if (t.target >= 0) out(`S[${actor.stateSlot}] = ${t.target};`);
          if (actor.budgetSlot >= 0 && cost !== 0) out(`S[${actor.budgetSlot}] -= ${cost};`);
          out('break; }');
        }
        out('}');
        out(`} catch (err) { if (t < 0) enabled++; if (fail(err, ${base} + c)) return -1; continue; }`);
        out(`if (emit(${base} + c)) return -1;`);
        out('}'); // choice loop
        out('}'); // budget
      }
      out('break; }');
    }
    out('} }');
  }
  out('return enabled;');

  function genAction(act: CompiledAction, a: number, args: string): void {
    if (act.kind === 'effect') {
      out(`${ref(act.fn)}(${args}, ${ref(act.params)});`);
    } else if (act.kind === 'assign') {
      // xstate evaluates every property of one assign on the same context, then merges.
      const vals = act.values.map((v) => {
        if (typeof v === 'function') return `${ref(v)}(${args}, ${ref(act.params)})`;
        if (typeof v === 'number' || typeof v === 'boolean') return String(Number(v));
        return `${ref(v)}`;
      });
      const names = vals.map((v) => {
        const name = `v${local++}`;
        out(`const ${name} = ${v};`);
        return name;
      });
      act.slots.forEach((slot, k) => out(`S[${slot}] = ${slotValue(names[k]!, a, act.keys[k]!)};`));
    } else {
      out(`applyPartial(${a}, ${ref(act.fn)}(${args}, ${ref(act.params)}));`);
    }
  }

  const S = stepper.S;
  const coerce = (v: unknown, a: number, key: string): number => coerceAssigned(v, system.actors[a]!.name, key);
  const applyPartial = (a: number, partial: Record<string, unknown>): void => applyPartialAssign(S, system.actors[a]!, partial);
  const body = `return function expand(emit, fail) {\n${lines.join('\n')}\n};`;
  const make = new Function('S', 'K', 'coerce', 'applyPartial', body) as (
    S: Int32Array,
    K: unknown[],
    coerce: (v: unknown, a: number, key: string) => number,
    applyPartial: (a: number, p: Record<string, unknown>) => void,
  ) => ExpandFn;
  return make(S, consts, coerce, applyPartial);
}

export type { Args };
