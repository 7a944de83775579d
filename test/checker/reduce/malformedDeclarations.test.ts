/**
 * Malformed declarations under the reductions (issue 9, a red team's probes): actor-id fields that cannot
 * hold every member's id, channels misused, and a reduction asked of a system with nothing to reduce.
 * Each is refused at definition, reported once, or answered exactly as `--reduce none` answers it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chan, check, compileSystem, deadlockFreedom, int, invariant, SystemDefinitionError, type SystemSpec } from '../../../checker/index.js';
import { compareReductions, programme, type AnyWorld } from './adversaries.js';

const names = ['R0', 'R1', 'R2'];

describe('actor-id fields that cannot hold every member’s id', () => {
  const lock = (none: number) =>
    programme(
      'm',
      [
        [{ on: 'acquire', when: (w) => w.owner === none, do: (w, c) => void (w.owner = c.me) }],
        [{ on: 'release', when: (w, c) => w.owner === c.me, do: (w) => void (w.owner = none) }],
      ],
      { me: 0 },
    );
  const spec = (owner: ReturnType<typeof int>, none: number, firstId: number): SystemSpec<AnyWorld> => {
    const member = lock(none);
    return {
      name: 'ids',
      world: { owner },
      actors: names.map((name, i) => ({
        name,
        machine: member,
        input: { me: i + firstId },
        fields: { me: int(0, 4, { init: i + firstId, actorId: 'readers' }) },
      })),
      properties: [deadlockFreedom()],
      symmetric: { readers: names },
    };
  };

  it('ids counted from 1 (a Promela habit) are refused at definition, naming the convention', () => {
    // Before: accepted; the renaming wrote 0 into a 1..4 field, and the run went unreduced with a note
    // about an unreal counterexample for 'assertion'.
    assert.throws(
      () => compileSystem(spec(int(1, 4, { init: 4, actorId: 'readers' }), 4, 1)),
      (e: unknown) =>
        e instanceof SystemDefinitionError &&
        e.message ===
          `system 'ids': owner holds actor ids of 'readers' but its domain is 1..4: an id is the member's position in the group, 0..2 (a value above is "none"): declare it int(0, 2), or int(0, 3) with 3 for none`,
    );
  });

  it('a domain too narrow for the last member’s id is refused', () => {
    assert.throws(() => compileSystem(spec(int(0, 1, { init: 0, actorId: 'readers' }), 0, 0)), /owner holds actor ids of 'readers' but its domain is 0\.\.1/);
  });

  it('the declared convention is accepted, and reduces with the same answer', () => {
    const results = compareReductions(spec(int(0, 3, { init: 3, actorId: 'readers' }), 3, 0), ['symmetry', 'all']);
    assert.deepEqual(results.get('bfs/symmetry')!.reduction!.notes, []);
    assert.ok(results.get('bfs/symmetry')!.stats.states < check(compileSystem(spec(int(0, 3, { init: 3, actorId: 'readers' }), 3, 0))).stats.states);
  });
});

describe('a channel misused, every violation collected', () => {
  const misuse = (name: string, effect: (w: AnyWorld) => void): SystemSpec<AnyWorld> => ({
    name,
    world: { q: chan(2, [int(0, 1), int(0, 3)]) },
    actors: [{ name: 'S', machine: programme('s', [[{ on: 'use', do: effect }]]), fields: {} }],
    properties: [],
  });

  for (const [name, effect, message] of [
    ['short message', (w: AnyWorld) => w.q.send(1), /world\.q\.send\(1\): a message has 2 fields/],
    ['value outside its field', (w: AnyWorld) => w.q.send(1, 7), /world\.q\.send/],
    ['receive from empty', (w: AnyWorld) => void w.q.receive(), /world\.q\.receive/],
  ] as const) {
    it(`${name}: one violation, not two (the search's and the determinism probe's)`, () => {
      for (const reduce of ['none', 'por'] as const) {
        const r = check(compileSystem(misuse(name, effect)), { stopAtFirstViolation: false, reduce });
        // Before: the same assertion twice, the probe's copy put in front of the search's.
        assert.equal(r.violations.length, 1, JSON.stringify(r.violations.map((v) => v.message)));
        assert.match(r.violations[0]!.message, message);
      }
    });
  }
});

describe('a reduction asked of a system with nothing to reduce', () => {
  it('every step touches one shared counter: --reduce por explores every state, with the same answer', () => {
    const worker = programme('w', [[{ on: 'bump', do: (w) => void (w.n = w.n + 1) }], [{ on: 'bump', do: (w) => void (w.n = w.n + 1) }]]);
    const spec: SystemSpec<AnyWorld> = {
      name: 'all-dependent',
      world: { n: int(0, 6) },
      actors: ['A', 'B', 'C'].map((name) => ({ name, machine: worker, fields: {} })),
      properties: [invariant<AnyWorld>('n below 6', (s) => s.world.n < 6)],
    };
    const results = compareReductions(spec, ['por', 'all']);
    const none = check(compileSystem(spec), { stopAtFirstViolation: false });
    assert.equal(results.get('bfs/por')!.stats.states, none.stats.states);
    assert.equal(none.verdict, 'violated');
  });
});
