/**
 * compileMachine (checker/system/compile.ts) refuses every xstate feature whose meaning under atomic
 * interleaving steps would be a guess, with a message naming the actor, the machine, the state and the
 * transition; compileSystem passes the message on as a SystemDefinitionError naming the system.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { and, assign, createMachine, fromPromise, not, or, raise, sendTo, stateIn, type AnyStateMachine, type MachineContext } from 'xstate';
import { int, SystemDefinitionError } from '../../../checker/index.js';
import { compileMachine, ModelCompileError } from '../../../checker/system/compile.js';
import { compileSystem } from '../../../checker/system/system.js';

const WHERE = "actor 'A' (machine 'm')";

function compile(machine: AnyStateMachine, fields: readonly string[] = []) {
  return compileMachine(machine, undefined, fields, (f) => fields.indexOf(f), WHERE);
}

// Machines xstate accepts but the checker must refuse, and the exact message (after the actor prefix).
const REFUSED: readonly (readonly [string, () => AnyStateMachine, string, string[]?])[] = [
  [
    'nested states',
    () => createMachine({ id: 'm', initial: 'a', states: { a: { initial: 'x', states: { x: {} } } } }),
    "state 'a' is compound; only flat machines (atomic and final states) are supported",
  ],
  [
    'a parallel root',
    () => createMachine({ id: 'm', type: 'parallel', states: { a: {}, b: {} } }),
    'the machine must have top-level states (found a parallel root)',
  ],
  [
    'always',
    () => createMachine({ id: 'm', initial: 'a', states: { a: { always: { target: 'b' } }, b: {} } }),
    "state 'a': 'always' transitions are not supported",
  ],
  [
    'after',
    () => createMachine({ id: 'm', initial: 'a', states: { a: { after: { 100: 'b' } }, b: {} } }),
    "state 'a': delayed ('after') transitions are not supported",
  ],
  [
    'invoke',
    () => createMachine({ id: 'm', initial: 'a', states: { a: { invoke: { src: fromPromise(async () => 1) } } } }),
    "state 'a': 'invoke' is not supported",
  ],
  [
    'an unknown guard',
    () => createMachine({ id: 'm', initial: 'a', states: { a: { on: { go: { guard: 'pagePresent' as never, target: 'b' } } }, b: {} } }),
    "state 'a', event 'go' transition 0: guard 'pagePresent' is not implemented (known: none)",
  ],
  [
    'assign to an undeclared field',
    () =>
      createMachine({
        id: 'm',
        initial: 'a',
        context: { pos: 0 },
        states: { a: { on: { go: { actions: assign({ ghost: 1 } as never), target: 'b' } } }, b: {} },
      }),
    "state 'a', event 'go' transition 0: assign to 'ghost', which is not a declared field (pos)",
    ['pos'],
  ],
  [
    'an unknown named action',
    () => createMachine({ id: 'm', initial: 'a', states: { a: { on: { go: { actions: 'evictPage', target: 'b' } } }, b: {} } }),
    "state 'a', event 'go' transition 0: action 'evictPage' is not implemented",
  ],
  [
    'raise',
    () => createMachine({ id: 'm', initial: 'a', states: { a: { on: { go: { actions: raise({ type: 'x' }) } } } } }),
    "state 'a', event 'go' transition 0: built-in action 'xstate.raise' is not supported (only assign and plain effect functions are)",
  ],
  [
    'sendTo',
    () => createMachine({ id: 'm', initial: 'a', states: { a: { on: { go: { actions: sendTo('x', { type: 'y' }) } } } } }),
    "state 'a', event 'go' transition 0: built-in action 'xstate.sendTo' is not supported (only assign and plain effect functions are)",
  ],
  ['a wildcard event', () => createMachine({ id: 'm', initial: 'a', states: { a: { on: { '*': 'a' } } } }), "state 'a': wildcard event '*' is not supported"],
  [
    'root-level on',
    () => createMachine({ id: 'm', initial: 'a', on: { go: '.a' }, states: { a: {} } }),
    'root-level `on` transitions are not supported; put them on each state',
  ],
  [
    'context keys that differ from the declared fields',
    () => createMachine({ id: 'm', initial: 'a', context: { pos: 0, extra: 1 }, states: { a: {} } }),
    'the context keys (pos, extra) must match the declared fields (pos)',
    ['pos'],
  ],
  [
    'entry actions on the initial state',
    () => createMachine({ id: 'm', initial: 'a', states: { a: { entry: () => {} } } }),
    "the initial state 'a' has entry actions; the engine starts from the machine's initial context and does not run them",
  ],
];

describe('compileMachine refuses what it cannot model', () => {
  for (const [name, make, message, fields] of REFUSED) {
    it(name, () => {
      assert.throws(
        () => compile(make(), fields),
        (e: unknown) => {
          assert.ok(e instanceof ModelCompileError, String(e));
          assert.equal(e.message, `${WHERE}: ${message}`);
          return true;
        },
      );
    });
  }

  it('compileSystem reports it as a SystemDefinitionError naming the system, actor and machine', () => {
    const machine = createMachine({ id: 'faultIn', initial: 'a', states: { a: { initial: 'x', states: { x: {} } } } });
    assert.throws(
      () => compileSystem({ name: 'sys', world: {}, actors: [{ name: 'CPU0', machine, fields: {} }], properties: [] }),
      (e: unknown) =>
        e instanceof SystemDefinitionError &&
        e.message === "system 'sys': actor 'CPU0' (machine 'faultIn'): state 'a' is compound; only flat machines (atomic and final states) are supported",
    );
  });

  it('a flat machine with guards, assign and effects compiles, events in machine order', () => {
    const m = createMachine({
      id: 'm',
      initial: 'a',
      context: { n: 0 },
      states: {
        a: { on: { go: [{ guard: ({ context }) => context.n > 0, target: 'b' }, { actions: assign({ n: 1 }) }], stop: 'b' } },
        b: { type: 'final' },
      },
    });
    const c = compile(m, ['n']);
    assert.deepEqual(c.eventTypes, ['go', 'stop']);
    assert.deepEqual(
      c.states.map((s) => [s.name, s.final, s.events.map((e) => [e.type, e.transitions.length])]),
      [
        [
          'a',
          false,
          [
            ['go', 2],
            ['stop', 1],
          ],
        ],
        ['b', true, []],
      ],
    );
    assert.equal(c.initialState, 0);
    assert.deepEqual(c.initialContext, { n: 0 });
  });

  it("xstate's and/or/not guards mean the same when a bundler has renamed their functions", () => {
    const big = ({ context }: { context: MachineContext }) => context.n > 1;
    const odd = ({ context }: { context: MachineContext }) => context.n % 2 === 1;
    const renamed = <G extends object>(g: G): G => Object.defineProperty(g, 'name', { value: 'a' });
    const m = createMachine({
      id: 'm',
      initial: 'a',
      context: { n: 0 },
      states: {
        a: {
          on: {
            both: { guard: renamed(and([big, odd])), target: 'a' },
            either: { guard: renamed(or([big, odd])), target: 'a' },
            neither: { guard: renamed(not(renamed(or([big, odd])))), target: 'a' },
          },
        },
      },
    });
    const c = compile(m, ['n']);
    const truth = (type: string) =>
      [0, 1, 2, 3].map((n) =>
        c.states[0]!.events.find((e) => e.type === type)!.transitions[0]!.guard!({ context: { n }, event: { type, choice: 0, world: {} } }),
      );
    assert.deepEqual(truth('both'), [false, false, false, true]);
    assert.deepEqual(truth('either'), [false, true, true, true]);
    assert.deepEqual(truth('neither'), [true, false, false, false]);
  });

  it('a guard combinator other than and/or/not is refused', () => {
    const m = createMachine({ id: 'm', initial: 'a', states: { a: { on: { go: { guard: stateIn('a'), target: 'a' } } } } });
    assert.throws(() => compile(m), { message: `${WHERE}: state 'a', event 'go' transition 0: guard combinator is not supported (and, or, not are)` });
  });

  it('a declared field domain that excludes the initial context is refused', () => {
    const machine = createMachine({ id: 'm', initial: 'a', context: { n: 5 }, states: { a: {} } });
    assert.throws(() => compileSystem({ name: 'sys', world: {}, actors: [{ name: 'A', machine, fields: { n: int(0, 3) } }], properties: [] }), {
      message: "system 'sys': actor 'A': initial n = 5 is outside its declared domain 0..3",
    });
  });
});
