/**
 * The symmetry canonicaliser (checker/reduce/symmetry.ts): canonical(s) = canonical(π(s)) for every
 * renaming π, idempotent, the representative is in the orbit, a search over representatives reaches one
 * state per orbit of the unreduced state space, and de-permuted traces are real executions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assign, setup } from 'xstate';
import { array, chan, check, int, type StepEvent, type SystemSpec } from '../../../checker/index.js';
import { lockSystem, NONE } from './lockSystem.js';
import { asymmetry, realSteps, SymmetryReducer, type Permutation } from '../../../checker/reduce/symmetry.js';
import { Stepper } from '../../../checker/system/step.js';
import { compileSystem, SystemDefinitionError, type CompiledSystem } from '../../../checker/system/system.js';

interface SemWorld {
  holders: number;
}

/** Three interchangeable users of a counting semaphore of 2, each for at most two rounds: no actor ids anywhere. */
const user = setup({ types: { context: {} as { rounds: number }, events: {} as StepEvent<'down' | 'up', SemWorld> } }).createMachine({
  id: 'user',
  initial: 'out',
  context: { rounds: 0 },
  states: {
    out: {
      on: {
        down: {
          guard: ({ event, context }) => event.world.holders < 2 && context.rounds < 2,
          target: 'in',
          actions: [({ event }) => void (event.world.holders += 1), assign({ rounds: ({ context }) => context.rounds + 1 })],
        },
      },
    },
    in: { on: { up: { target: 'out', actions: ({ event }) => void (event.world.holders -= 1) } } },
  },
});

function semaphoreSystem(): SystemSpec<SemWorld> {
  const names = ['U0', 'U1', 'U2'];
  return {
    name: 'semaphore',
    world: { holders: int(0, 2) },
    actors: names.map((name) => ({ name, machine: user, fields: { rounds: int(0, 2) } })),
    properties: [],
    symmetric: { users: names },
  };
}

/** Any slot vector within the layout's domains (reachable or not). */
const anyState = (system: CompiledSystem): fc.Arbitrary<Int32Array> =>
  fc.tuple(...system.layout.slots.map((s) => fc.integer({ min: s.field.min, max: s.field.max }))).map((v) => Int32Array.from(v));

const anyPermutation = (n: number): fc.Arbitrary<Permutation> =>
  fc.array(fc.nat(), { minLength: n, maxLength: n }).map((keys) => {
    const order = keys.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const perm = new Int32Array(n);
    order.forEach(([, member], position) => (perm[member] = position));
    return perm;
  });

function canonical(sym: SymmetryReducer, S: Int32Array): Int32Array {
  const out = Int32Array.from(S);
  sym.canonicalize(out);
  return out;
}

/** Breadth-first reachable states (as slot vectors), optionally stored as representatives. */
function reachable(system: CompiledSystem, sym?: SymmetryReducer): Int32Array[] {
  const stepper = new Stepper(system);
  const start = Int32Array.from(system.initial);
  sym?.canonicalize(start);
  const seen = new Map<string, Int32Array>([[start.join(), start]]);
  const queue = [start];
  for (let s = queue.shift(); s; s = queue.shift()) {
    stepper.load(s);
    for (const id of stepper.enabledSteps()) {
      stepper.load(s);
      assert.ok(stepper.applyId(id));
      const next = Int32Array.from(stepper.S);
      sym?.canonicalize(next);
      const key = next.join();
      if (!seen.has(key)) {
        seen.set(key, next);
        queue.push(next);
      }
    }
  }
  return [...seen.values()];
}

describe('SymmetryReducer', () => {
  for (const [what, spec] of [
    ['with actor-id fields (ties tried in every order)', lockSystem()],
    ['without actor-id fields (sorting alone)', semaphoreSystem()],
  ] as const) {
    describe(what, () => {
      const system = compileSystem(spec as SystemSpec);
      const sym = new SymmetryReducer(system);

      it('canonical(s) = canonical(π(s)) for every renaming π, on any state', () => {
        fc.assert(
          fc.property(anyState(system), anyPermutation(3), (S, perm) => {
            const renamed = new Int32Array(S.length);
            sym.apply(S, perm, renamed);
            assert.deepEqual(canonical(sym, renamed), canonical(sym, S));
          }),
        );
      });

      it('is idempotent, and the representative is in the orbit: apply(s, returned π) = canonical(s)', () => {
        fc.assert(
          fc.property(anyState(system), (S) => {
            const perm = new Int32Array(sym.size);
            const rep = Int32Array.from(S);
            sym.canonicalize(rep, perm);
            assert.deepEqual(canonical(sym, rep), rep);
            const image = new Int32Array(S.length);
            sym.apply(S, perm, image);
            assert.deepEqual(image, rep);
          }),
        );
      });

      it('a search over representatives reaches exactly one state per orbit of the unreduced space', () => {
        const full = reachable(system);
        const orbits = new Set(full.map((s) => canonical(sym, s).join()));
        const reduced = reachable(system, sym);
        assert.equal(reduced.length, orbits.size);
        assert.deepEqual(new Set(reduced.map((s) => s.join())), orbits);
        assert.equal(check(spec as SystemSpec).stats.states, full.length, 'the test BFS counts as the checker does');
        assert.ok(reduced.length * 3 < full.length, `${reduced.length} representatives for ${full.length} states`);
        for (const [i, s] of full.entries()) if (i % 4 === 0) assert.equal(asymmetry(system, sym, s), null, 'declared symmetric, and it is');
      });
    });
  }

  it('asymmetry() finds actor ids kept in a field not declared actorId (a search would merge unlike states)', () => {
    const system = compileSystem(lockSystem(3, 'undeclared'));
    const sym = new SymmetryReducer(system);
    const found = reachable(system)
      .map((s) => asymmetry(system, sym, s))
      .find((m) => m !== null);
    assert.match(found ?? 'none', /symmetric group 'readers': swapping R0 and R1 does not commute with the steps/);
  });

  it('the shared-lock counts: 3 readers, unreduced and by orbit (pinned)', () => {
    const system = compileSystem(lockSystem());
    assert.deepEqual([reachable(system).length, reachable(system, new SymmetryReducer(system)).length], [5560, 940]);
  });

  it('realSteps turns a path over representatives into a real execution of the unreduced system', () => {
    const system = compileSystem(lockSystem());
    const sym = new SymmetryReducer(system);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 25 }), (picks) => {
        // A walk that stores representatives, as the reduced search does: each step id is taken in one.
        const rep = new Stepper(system);
        rep.load(system.initial);
        sym.canonicalize(rep.S);
        const ids: number[] = [];
        for (const pick of picks) {
          const enabled = rep.enabledSteps();
          if (enabled.length === 0) break;
          const id = enabled[pick % enabled.length]!;
          assert.ok(rep.applyId(id));
          sym.canonicalize(rep.S);
          ids.push(id);
        }
        const real = new Stepper(system);
        real.load(system.initial);
        for (const id of realSteps(system, sym, ids)) assert.ok(real.applyId(id), 'each real step is enabled where it is taken');
        assert.deepEqual(canonical(sym, real.S), Int32Array.from(rep.S), 'the real run ends in the orbit of the stored state');
      }),
    );
  });
});

describe('symmetric groups are checked when the system is compiled', () => {
  const base = lockSystem();
  const other = setup({}).createMachine({ id: 'other', initial: 'idle', context: { id: 0, seen: NONE, waited: 0 }, states: { idle: {} } });
  const refuses = (spec: SystemSpec, message: RegExp): void =>
    assert.throws(
      () => compileSystem(spec),
      (e: unknown) => e instanceof SystemDefinitionError && message.test(e.message),
    );

  it('members must be interchangeable actors', () => {
    refuses({ ...base, actors: base.actors.map((a, i) => (i === 2 ? { ...a, machine: other } : a)) }, /'R2' differs from 'R0' in its machine/);
    refuses(
      { ...base, actors: base.actors.map((a, i) => (i === 1 ? { ...a, fields: { ...a.fields, waited: int(0, 2) } } : a)) },
      /'R1' differs from 'R0' in its context fields/,
    );
    refuses({ ...base, actors: base.actors.map((a, i) => (i === 1 ? { ...a, fairness: 'strong' as const } : a)) }, /'R1' differs from 'R0' in its fairness/);
    refuses({ ...base, symmetric: { readers: ['R0', 'R9'] } }, /names 'R9', which is not an actor/);
    refuses({ ...base, symmetric: { readers: ['R0'] } }, /needs two or more actor names/);
    refuses({ ...base, symmetric: { readers: ['R0', 'R1', 'R2'], more: ['R1', 'R2'] } }, /actor 'R1' is in two symmetric groups/);
  });

  it('indexed arrays and actor-id fields must name a group, at its size', () => {
    refuses(
      { ...base, world: { ...base.world, uses: array(2, int(0, 2), { indexedBy: 'readers' }) } },
      /'uses' is indexed by 'readers' but has 2 elements for 3 members/,
    );
    refuses({ ...base, world: { ...base.world, uses: array(3, int(0, 2), { indexedBy: 'writers' }) } }, /'writers', which is not a symmetric group/);
    refuses({ ...base, world: { ...base.world, owner: int(0, NONE, { actorId: 'writers' }) } }, /owner holds actor ids of 'writers'/);
    refuses({ ...base, world: { ...base.world, q: chan(2, int(0, NONE, { actorId: 'readers' })) } }, /channel 'q': a message field cannot hold actor ids/);
  });
});
