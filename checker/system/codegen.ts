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
 *
 * The generated code reads as the machine it came from, as SPIN's generated verifier annotates every case
 * with its source line: it is indented; each actor block names the actor, each `case` the control state,
 * each event block the event type and its step ids (written by `encodeStep`, as hex so the actor and
 * event bytes show); guards, actions, assign functions and choice counts are constants named after what
 * the machine calls them (`guard_pagePresent`, `action_evictPage`; combinators and inline guards by what
 * they are, see `guardLabel`), declared once at the top with where each comes from; every slot access
 * carries the slot's name (`S[12] /* writeback@state *\/`).
 *
 * To read it: `faultline show ID[:VARIANT] --code` prints a scenario's expand function, and
 * `FAULTLINE_DUMP_CODE=<dir>` writes every generated function (expand, pack, unpack, copy, the view
 * classes) to `<dir>/<system>/<what>.js` as it is compiled; each carries
 * `//# sourceURL=faultline://<system>/<what>.js`, so stack traces name it (generatedCode.ts).
 */
import { applyPartialAssign, coerceAssigned, guardResult } from './assign.js';
import type { Args, CompiledAction, CompiledTransition } from './compile.js';
import { CodeWriter, compileGenerated, generatedSource, identifier, note } from './generatedCode.js';
import { encodeStep, Stepper } from './step.js';
import type { CompiledActor, CompiledSystem } from './system.js';
import { worldControl, type WorldControl } from './views.js';

/**
 * Called after each enabled step was applied to S; it must restore S to the pre-state before returning.
 * Returns true to stop the expansion (a violation was found and the search stops).
 */
export type EmitFn = (stepId: number) => boolean;
/** Called when a guard, choices function or action throws; must restore S. Returns true to stop. */
export type FailFn = (error: unknown, stepId: number) => boolean;
/** Expands the state in the stepper's buffer: returns the number of enabled steps, or -1 if stopped. */
export type ExpandFn = (emit: EmitFn, fail: FailFn) => number;

type Coerce = (v: unknown, a: number, key: string) => number;
type ApplyPartial = (a: number, p: Record<string, unknown>) => void;
type Make = (
  S: Stepper['S'],
  K: unknown[],
  coerce: Coerce,
  applyPartial: ApplyPartial,
  truth: typeof guardResult,
  R: WorldControl,
  W: WorldControl,
) => ExpandFn;

const PARAMS = ['S', 'K', 'coerce', 'applyPartial', 'truth', 'R', 'W'] as const;

/**
 * The constants the generated code calls, each under a name: `K[i]` is bound once to `name` at the top of
 * the generated factory, with a comment saying what it is.
 */
class Constants {
  readonly values: unknown[] = [];
  readonly decls: string[] = [];
  private readonly byValue = new Map<unknown, string>();
  private readonly taken = new Set<string>();

  /** The name the generated code uses for `value` (the same value always gets the same name). */
  name(value: unknown, suggested: string, what: string): string {
    const known = this.byValue.get(value);
    if (known !== undefined) return known;
    const base = identifier(suggested);
    let name = base;
    for (let k = 2; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    this.byValue.set(value, name);
    this.decls.push(`const ${name} = K[${this.values.length}]; // ${note(what)}`);
    this.values.push(value);
    return name;
  }
}

/**
 * The name of a constant: `guard_pagePresent`, `guard_not_pagePresent`, `action_evict`; what the machine
 * wrote inline is `inlineGuard`, `inlineAction`, `inlineAssign` (numbered by Constants when there are more).
 */
function constName(prefix: string, label: string): string {
  const inline = /^inline (\w+)$/.exec(label);
  return inline ? `inline${inline[1]![0]!.toUpperCase()}${inline[1]!.slice(1)}` : `${prefix}_${identifier(label)}`;
}

const hex = (id: number): string => `0x${id.toString(16).padStart(8, '0')}`;

/** The source of the expand function and the constants it binds. */
function generateExpand(system: CompiledSystem, stepper: Stepper): { body: string; consts: unknown[] } {
  const K = new Constants();
  const code = new CodeWriter(1);
  const slots = system.layout.slots;
  /** `S[12] /* writeback@state *\/` */
  const slot = (i: number): string => `S[${i}] /* ${note(slots[i]!.name)} */`;
  let local = 0;

  const guardCall = (actor: CompiledActor, t: CompiledTransition, args: string): string => {
    const label = t.guardLabel ?? 'guard';
    const about = `guard [${label}] of machine '${actor.machine.id}'`;
    // true and false cost two comparisons; anything else is a number's truth or a model error (assign.ts).
    const call = `${K.name(t.guard, constName('guard', label), about)}(${args})`;
    return `(g = ${call}) === true || (g !== false && truth(g, ${JSON.stringify(about)}))`;
  };
  const transitionNote = (actor: CompiledActor, t: CompiledTransition): string => {
    const guard = t.guardLabel === null ? '' : `[${t.guardLabel}] `;
    const target = t.target < 0 ? 'stays' : `-> '${actor.machine.states[t.target]!.name}'`;
    return note(`${guard}${target}${t.description === undefined ? '' : `: ${t.description}`}`);
  };
  const params = (actor: CompiledActor, act: CompiledAction): string =>
    act.params === undefined
      ? 'undefined'
      : K.name(act.params, `params_${identifier(act.label)}`, `params of action '${act.label}' of machine '${actor.machine.id}'`);

  function genAction(actor: CompiledActor, act: CompiledAction, args: string): void {
    const a = actor.index;
    const from = `of machine '${actor.machine.id}'`;
    if (act.kind === 'effect') {
      code.line(`${K.name(act.fn, constName('action', act.label), `action '${act.label}' ${from}`)}(${args}, ${params(actor, act)});`);
    } else if (act.kind === 'assign') {
      // xstate evaluates every property of one assign on the same context, then merges.
      code.line(`// ${note(act.label)}: ${note(act.keys.join(', '))}`);
      const names = act.values.map((v, k) => {
        const key = act.keys[k]!;
        let value: string;
        if (typeof v === 'function')
          value = `${K.name(v, `assign_${key}`, `${act.label === 'inline assign' ? `inline assign to ${key}` : `assign ${key} in '${act.label}'`} ${from}`)}(${args}, ${params(actor, act)})`;
        else if (typeof v === 'number' || typeof v === 'boolean') value = String(Number(v));
        else value = K.name(v, `value_${key}`, `the value assigned to ${key} in '${act.label}' ${from}`);
        const name = `v${local++}`;
        code.line(`const ${name} = ${value};`);
        return name;
      });
      act.slots.forEach((s, k) => {
        const v = names[k]!;
        const key = JSON.stringify(act.keys[k]!);
        code.line(`${slot(s)} = (typeof ${v} === 'number' && (${v} | 0) === ${v}) ? ${v} : coerce(${v}, ${a}, ${key});`);
      });
    } else {
      code.line(
        `applyPartial(${a}, ${K.name(act.fn, constName('assign', act.label), `${act.label === 'inline assign' ? 'inline assign' : `assign '${act.label}'`} (function form) ${from}`)}(${args}, ${params(actor, act)}));`,
      );
    }
  }

  // Arrays the reading view fills from S (not content-cached, views.ts) are verified after each step.
  const verifies = (worldControl(stepper.world)?.$verifies ?? 0) > 0;
  const arrays = Object.values(system.spec.world).some((f) => f.kind === 'array');
  code.line('let enabled = 0;');
  if (verifies) code.line('let last = 0; // the step id tried last');
  for (const actor of system.actors) {
    const a = actor.index;
    const args = K.name(stepper.runtimes[a]!.args, `args_${actor.name}`, `the { context, event } of actor ${actor.name}`);
    const budget = actor.budgetSlot >= 0 ? `, budget in ${slot(actor.budgetSlot)}` : '';
    code.blank();
    code.line(`// actor ${a}: ${note(actor.name)} (${actor.kind}, machine '${note(actor.machine.id)}'${budget})`);
    code.open('{');
    code.line(`const ev = ${args}.event;`);
    code.open(`switch (${slot(actor.stateSlot)}) {`);
    for (const [si, st] of actor.machine.states.entries()) {
      if (st.final || st.events.length === 0) continue;
      code.open(`case ${si}: { // state '${note(st.name)}'`);
      for (const e of st.events) {
        const cost = actor.cost[e.index]!;
        const count = actor.choices[e.index]!;
        const base = encodeStep(a, e.index, 0);
        const id = `${hex(base)} + c`;
        code.line(`// event '${note(e.type)}': step ids ${hex(base)} + choice (actor ${a}, event ${e.index})`);
        code.open(actor.budgetSlot >= 0 && cost > 0 ? `if (${slot(actor.budgetSlot)} >= ${cost}) {` : '{');
        code.line(`ev.type = ${JSON.stringify(e.type)};`);
        code.line('ev.choice = 0;');
        if (typeof count === 'number') {
          code.line(`const n = ${count};`);
        } else {
          const choices = K.name(count, `choices_${e.type}`, `the choice count of '${e.type}' for actor ${actor.name}`);
          const problem = JSON.stringify(`actor '${actor.name}': choices for '${e.type}' returned `);
          code.line('let n = 0;');
          code.open('try {');
          code.line(`n = ${choices}(${args});`);
          code.line(`if (!(n >= 0 && n <= 65535 && (n | 0) === n)) throw new Error(${problem} + n + ', not a whole number in 0..65535');`);
          code.reopen('} catch (err) {');
          code.line(`if (fail(err, ${hex(base)})) return -1;`);
          code.line('n = 0;');
          code.close();
        }
        // Effects get the writing view; its arrays go back to S when their run of effects ends (views.ts).
        const effects = e.transitions.some((t) => t.actions.some((act) => act.kind === 'effect'));
        code.open('for (let c = 0; c < n; c++) {');
        code.line('ev.choice = c;');
        if (verifies) code.line(`last = ${id};`);
        code.line('let t = -1;');
        if (e.transitions.some((t) => t.guard !== null)) code.line('let g;');
        code.open('try {');
        // Guard chain: the first transition whose guard passes; one without a guard ends it.
        const ts = e.transitions;
        const last = ts.findIndex((t) => t.guard === null);
        const chain = last < 0 ? ts : ts.slice(0, last + 1);
        chain.forEach((t, ti) => {
          const test = t.guard === null ? '' : `if (${guardCall(actor, t, args)}) `;
          code.line(`${ti === 0 ? '' : 'else '}${test}t = ${ti}; // ${transitionNote(actor, t)}`);
        });
        code.line('if (t < 0) continue;');
        code.line('enabled++;');
        code.open('switch (t) {');
        for (const [ti, t] of ts.entries()) {
          code.open(`case ${ti}: { // ${transitionNote(actor, t)}`);
          let writing = false;
          for (const act of t.actions) {
            if (act.kind === 'effect' && !writing) code.line('ev.world = W; // effects write the world through the writing view');
            if (act.kind !== 'effect' && writing) code.line('W.$flush(); ev.world = R; // what the effects wrote goes back to S, checked');
            writing = act.kind === 'effect';
            genAction(actor, act, args);
          }
          if (writing) code.line('W.$flush(); ev.world = R; // what the effects wrote goes back to S, checked');
          if (t.target >= 0) code.line(`${slot(actor.stateSlot)} = ${t.target}; // '${note(actor.machine.states[t.target]!.name)}'`);
          if (actor.budgetSlot >= 0 && cost !== 0) code.line(`${slot(actor.budgetSlot)} -= ${cost};`);
          code.line('break;');
          code.close();
        }
        code.close();
        code.reopen('} catch (err) {');
        code.line('if (t < 0) enabled++;');
        if (effects) {
          code.line('W.$drop(); ev.world = R;');
          code.line(`const stop = fail(err, ${id});`);
          // An effect's arrays may have reached S before an assign threw: S is back, so are the arrays.
          code.line('if (W.$x !== 0) { W.$x = 0; R.$renew(); }');
          code.line('if (stop) return -1;');
        } else {
          code.line(`if (fail(err, ${id})) return -1;`);
        }
        code.line('continue;');
        code.close();
        if (verifies) {
          code.line('// A guard, choices or assign function wrote a world array: reported before the successor is handed on.');
          code.line('const wrote = R.$verify();');
          code.line(`if (wrote !== null) { if (fail(wrote, ${id})) return -1; continue; }`);
        }
        if (effects && arrays) {
          code.line(`const stop = emit(${id});`);
          code.line('// The effects wrote arrays: the properties read the successor, then emit put S back, so the arrays fill again.');
          code.line('if (W.$x !== 0) { W.$x = 0; R.$renew(); }');
          code.line('if (stop) return -1;');
        } else {
          code.line(`if (emit(${id})) return -1;`);
        }
        code.close(); // choice loop
        code.close(); // budget
      }
      code.line('break;');
      code.close();
    }
    code.close(); // switch
    code.close(); // actor block
  }
  code.blank();
  if (verifies) {
    code.line('// A world array written by a guard of a step not taken (views.ts): reported with the step tried last.');
    code.line('const wrote = R.$verify();');
    code.line('if (wrote !== null && fail(wrote, last)) return -1;');
  }
  code.line('return enabled;');

  const header = [
    `// The expand function of system '${note(system.name)}', generated by faultline (checker/system/codegen.ts).`,
    '// expand(emit, fail) applies every enabled step of the state in S, in order (actor, event, choice), calls',
    '// emit(step id) with the successor in S (emit restores S) or fail(error, step id) when model code throws,',
    '// and returns the number of enabled steps, or -1 when emit or fail asked to stop.',
    "// R is the world's reading view (what guards, choices and assign functions and properties see), W its writing view",
    "// (what effects see); R's arrays stay filled until S changes under them (R.$renew(), see views.ts).",
    "// A guard's result is tested against true and false; truth(g, guard) reads anything else: a number's truth, or",
    '// a model error naming the guard (undefined from a missing return, a promise; assign.ts guardResult).',
    ...K.decls,
  ];
  const body = `${header.join('\n')}\nreturn function expand(emit, fail) {\n${code.text()}\n};`;
  return { body, consts: K.values };
}

export function compileExpand(system: CompiledSystem, stepper: Stepper): ExpandFn {
  const { body, consts } = generateExpand(system, stepper);
  const make = compileGenerated<Make>(system.name, 'expand', PARAMS, body);
  const S = stepper.S;
  const coerce: Coerce = (v, a, key) => coerceAssigned(v, system.actors[a]!.name, key);
  const applyPartial: ApplyPartial = (a, partial) => applyPartialAssign(S, system.actors[a]!, partial);
  const R = worldControl(stepper.world);
  if (R === null) throw new Error('compileExpand: the stepper has no engine world view');
  const expand = make(S, consts, coerce, applyPartial, guardResult, R, R.$writer);
  // The reading view's arrays fill once per stretch in which S holds still, only while expand runs (views.ts).
  return (emit, fail) => {
    R.$hold();
    try {
      return expand(emit, fail);
    } finally {
      R.$release();
    }
  };
}

/**
 * The generated expand function of a system as source text: what `faultline show --code` prints and what
 * FAULTLINE_DUMP_CODE writes to `<system>/expand.js` (the function as V8 holds it, sourceURL included).
 */
export function expandSource(system: CompiledSystem): string {
  return generatedSource(system.name, 'expand', PARAMS, generateExpand(system, new Stepper(system, undefined, false, true)).body);
}

export type { Args };
