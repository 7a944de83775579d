/**
 * Lassos print the shortest loop (properties/liveness.ts): of the states on a fair cycle at the least
 * distance from the initial state, the one with the shortest fair loop through it, and of those loops the
 * one with the fewest context switches - not the first loop the analysis happens to walk.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setup } from 'xstate';
import { bool, check, compileSystem, terminates, type SystemSpec, type TraceOrder } from '../../../checker/index.js';
import { replay, resolveStep } from '../../../checker/search/replay.js';

interface W {
  p: number;
}
type Ev = { type: 'around' | 'on' | 'back' | 'stay' | 'toggle'; choice: number; world: W };

/**
 * T spins in 'a' forever: `around` (first in its order) takes the long way a -> b -> c -> a, `stay` the
 * short one (a -> a). The first loop a walk from 'a' finds goes around; the shortest is one `stay`.
 */
function spinner(withToggler: boolean): SystemSpec<W> {
  const t = setup({ types: { context: {} as Record<string, never>, events: {} as Ev } }).createMachine({
    id: 't',
    initial: 'a',
    context: {},
    states: {
      a: { on: { around: { target: 'b' }, stay: { target: 'a' } } },
      b: { on: { on: { target: 'c' } } },
      c: { on: { back: { target: 'a' } } },
    },
  });
  const u = setup({
    types: { context: {} as Record<string, never>, events: {} as Ev },
    actions: { flip: ({ event }) => void (event.world.p = 1 - event.world.p) },
  }).createMachine({ id: 'u', initial: 'run', context: {}, states: { run: { on: { toggle: { actions: 'flip' } } } } });
  return {
    name: 'spinner',
    world: { p: bool() },
    actors: [{ name: 'T', machine: t, fields: {} }, ...(withToggler ? [{ name: 'U', machine: u, fields: {} }] : [])],
    properties: [terminates<W>('T')],
  };
}

function loopOf(spec: SystemSpec<W>, order: TraceOrder) {
  const system = compileSystem(spec);
  const v = check(system, { trace: order }).violations[0]!;
  assert.equal(v.kind, 'progress');
  const names = v.trace.steps.map((s) => `${s.actor} ${s.transition}`);
  const ids = v.trace.steps.map((s) => resolveStep(system, s.actor, s.transition, s.choice) as number);
  assert.equal(replay(system, ids, v.trace.loop, v, { xstate: true }).status, 'reproduced');
  return { stem: names.slice(0, v.trace.loop), loop: names.slice(v.trace.loop) };
}

describe('lassos: the shortest loop', () => {
  for (const order of ['shortest', 'fewest-switches'] as const) {
    it(`${order}: one 'stay' rather than the first-found loop round a -> b -> c -> a`, () => {
      assert.deepEqual(loopOf(spinner(false), order), { stem: [], loop: ['T stay'] });
    });

    it(`${order}: with a weakly fair toggler beside it, both must move and p must come back: three steps, one switch`, () => {
      // The walk from the entry took T round (a -> b -> c -> a) and U twice: five steps. Three is the
      // least (U toggles twice to bring p back), and of the three-step loops this one has one switch
      // (as has T stay, U toggle, U toggle; the search meets this one first).
      assert.deepEqual(loopOf(spinner(true), order), { stem: [], loop: ['U toggle', 'U toggle', 'T stay'] });
    });
  }
});
