/**
 * The generated expand function (checker/system/codegen.ts) is an optimisation of Stepper (step.ts): for
 * every reachable state of every shipped scenario variant (default parameters, up to a size limit), it
 * must emit exactly the step ids Stepper.enabledSteps() lists, in the same order, each leading to the
 * same successor state, and report the same number of enabled steps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setup } from 'xstate';
import { array, int } from '../../../checker/index.js';
import { compileExpand, expandSource } from '../../../checker/system/codegen.js';
import { Stepper } from '../../../checker/system/step.js';
import { StateStore } from '../../../checker/store/stateStore.js';
import { compileSystem, type CompiledSystem } from '../../../checker/system/system.js';
import { resolveParams } from '../../../scenarios/index.js';
import { buildScenario } from '../../../scenarios/run.js';
import { allScenarios } from '../../scenarios/allScenarios.js';
import { kitchenSink } from '../kitchenSink.js';

const LIMIT = 20_000;

function compare(system: CompiledSystem): number {
  const layout = system.layout;
  const ref = new Stepper(system);
  // The search's configuration: small world arrays frozen per content (views.ts), wider ones filled and verified.
  const gen = new Stepper(system, undefined, false, true);
  const expand = compileExpand(system, gen);
  const store = new StateStore(layout.words, 12);
  const vec = new Uint32Array(layout.words);
  const pre = layout.buffer();
  ref.load(system.initial);
  layout.pack(ref.S, vec, 0);
  store.findOrInsert(vec, 0, 0);
  for (let i = 0; i < store.size && store.size < LIMIT; i++) {
    layout.unpack(store.chunkOf(i), store.offsetOf(i), pre);
    // Reference: Stepper, one step at a time.
    ref.load(pre);
    const expected: string[] = [];
    for (const id of ref.enabledSteps()) {
      ref.load(pre);
      let outcome: string;
      try {
        ref.applyId(id);
        const bad = layout.pack(ref.S, vec, 0);
        outcome = bad >= 0 ? `overflow ${bad}` : [...vec].join(',');
        if (bad < 0) store.findOrInsert(vec, 0, i);
      } catch (e) {
        outcome = `throws ${(e as Error).message}`;
      }
      expected.push(`${id}:${outcome}`);
    }
    // Generated: one call of expand, collecting what it emits.
    gen.load(pre);
    const got: string[] = [];
    const enabled = expand(
      (id) => {
        const bad = layout.pack(gen.S, vec, 0);
        got.push(`${id}:${bad >= 0 ? `overflow ${bad}` : [...vec].join(',')}`);
        gen.load(pre);
        return false;
      },
      (e, id) => {
        got.push(`${id}:throws ${(e as Error).message.replace(/^actor '[^']*': /, '')}`);
        gen.load(pre);
        return false;
      },
    );
    assert.deepEqual(
      got,
      expected.map((x) => x.replace(/:throws actor '[^']*': /, ':throws ')),
      `state #${i}`,
    );
    assert.equal(enabled, expected.length, `enabled count, state #${i}`);
  }
  return store.size;
}

describe('generated expand == Stepper on every reachable state', async () => {
  for (const { target, scenario } of await allScenarios()) {
    for (const variant of Object.keys(scenario.variants)) {
      it(`${target}:${variant}`, () => {
        const system = buildScenario(scenario, variant, resolveParams(scenario, {}));
        assert.ok(compare(system) > 0);
      });
    }
  }
});

describe('generated expand reads as the machine it came from', () => {
  const lines = expandSource(compileSystem(kitchenSink()))
    .split('\n')
    .map((l) => l.trim());
  const has = (line: string): void => assert.ok(lines.includes(line), `missing: ${line}`);

  it('constants are named after the guards, actions, assigns and choice counts they are, with where they come from', () => {
    has('const args_T = K[0]; // the { context, event } of actor T');
    has("const guard_aLow_and_not_flagUp = K[1]; // guard [(aLow and not flagUp)] of machine 'kitchen-sink'");
    has("const guard_iOdd_or_flagUp = K[2]; // guard [(iOdd or flagUp)] of machine 'kitchen-sink'");
    has("const assign_i = K[4]; // inline assign to i of machine 'kitchen-sink'");
    has("const inlineAssign = K[9]; // inline assign (function form) of machine 'kitchen-sink'");
    has("const choices_pick = K[10]; // the choice count of 'pick' for actor T");
    has("const params_setA = K[13]; // params of action 'setA' of machine 'kitchen-sink'");
    has("const inlineGuard = K[14]; // guard [inline guard] of machine 'kitchen-sink'");
    has("const guard_atLeast = K[16]; // guard [atLeast] of machine 'kitchen-sink'");
  });

  it('actors, states, events and step ids (encodeStep, in hex), transitions with guard and target, slots by name', () => {
    has("// actor 1: E (environment, machine 'kitchen-sink-env', budget in S[9] /* E@budget */)");
    has('switch (S[5] /* T@state */) {');
    has("case 1: { // state 's1'");
    has("// event 'pick': step ids 0x00010000 + choice (actor 0, event 1)");
    has(
      "if ((g = guard_aLow_and_not_flagUp(args_T)) === true || (g !== false && truth(g, \"guard [(aLow and not flagUp)] of machine 'kitchen-sink'\"))) t = 0; // [(aLow and not flagUp)] -> 's1'",
    );
    has(
      'else if ((g = guard_iOdd_or_flagUp(args_T)) === true || (g !== false && truth(g, "guard [(iOdd or flagUp)] of machine \'kitchen-sink\'"))) t = 1; // [(iOdd or flagUp)] stays',
    );
    has('S[6] /* T.i */ = (typeof v0 === \'number\' && (v0 | 0) === v0) ? v0 : coerce(v0, 0, "i");');
    has("S[5] /* T@state */ = 1; // 's1'");
    has('action_setA(args_T, params_setA);');
    has('if (S[9] /* E@budget */ >= 2) {');
    has('S[9] /* E@budget */ -= 2;');
    has('const stop = emit(0x01000000 + c);');
    has('ev.world = W; // effects write the world through the writing view');
    has('W.$flush(); ev.world = R; // what the effects wrote goes back to S, checked');
    has('if (W.$x !== 0) { W.$x = 0; R.$renew(); }');
  });

  it('a world array the reading view fills from S is verified after every step; a content-cached (frozen) one is not (views.ts)', () => {
    // The kitchen sink's arr (3 elements of 0..3) takes 6 bits: content-cached, nothing to verify.
    assert.ok(!lines.includes('const wrote = R.$verify();'));
    const wide = kitchenSink();
    const spec = { ...wide, world: { ...wide.world, arr: array(7, int(0, 3)) } };
    // Seven elements of 0..3 take 14 bits, past the cache: filled from S, and verified.
    assert.ok(
      expandSource(compileSystem(spec))
        .split('\n')
        .some((l) => l.trim() === 'const wrote = R.$verify();'),
    );
  });

  it('is indented: every line inside expand() is indented by two spaces per open block', () => {
    const text = expandSource(compileSystem(kitchenSink()));
    const body = text.slice(text.indexOf('return function expand'));
    let depth = 0;
    for (const line of body.split('\n').slice(1, -3)) {
      if (line.trim() === '') continue;
      const closes = /^\s*}/.test(line) ? 1 : 0;
      assert.equal(line.length - line.trimStart().length, 2 * (depth + 1 - closes), line);
      depth += (line.match(/{/g) ?? []).length - (line.match(/}/g) ?? []).length;
    }
  });
});

describe('generated expand: machines the compiler accepts compile, whatever their names', () => {
  // A state, an event and an actor named with comment terminators, quotes and line breaks; an
  // unguarded transition before a guarded one (xstate never reaches the second).
  const machine = setup({ guards: { never: () => false } }).createMachine({
    id: 'odd */ machine',
    initial: 'a */ b\nc',
    context: { n: 0 },
    states: {
      'a */ b\nc': { on: { 'say "hi"\\\n': [{ target: 'done' }, { guard: 'never', target: 'a */ b\nc' }] } },
      done: { type: 'final' },
    },
  });

  it('names are kept inside comments, and expand == Stepper', () => {
    const system = compileSystem({ name: 'odd */ names', world: {}, actors: [{ name: 'cpu-0.x', machine, fields: { n: int(0, 0) } }], properties: [] });
    const text = expandSource(system);
    assert.ok(text.includes("case 0: { // state 'a * / b c'"), text);
    assert.ok(text.includes('ev.type = "say \\"hi\\"\\\\\\n";'), text);
    assert.equal(compare(system), 2);
  });
});
