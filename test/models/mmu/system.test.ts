/**
 * The MMU under the checker: a two-step actor (fault_in_readable, then copy_from_user with faults disabled,
 * retrying on a short copy) against reclaim with budget 1. The state space, counted by hand:
 *
 *   world = pte[0] in {ABSENT, PRESENT_RW}; T0 in {FAULTIN, COPY, DONE}; reclaim budget in {1, 0}
 *   S0 (A, FAULTIN, 1) -faultIn->  S1 (P, COPY, 1)                   reclaim disabled (nothing mapped)
 *   S1 -copy-> S2 (P, DONE, 1)     S1 -evict-> S3 (A, COPY, 0)
 *   S2 -evict-> S4 (A, DONE, 0)    terminal
 *   S3 -copy (fails)-> S5 (A, FAULTIN, 0) -faultIn-> S6 (P, COPY, 0) -copy-> S7 (P, DONE, 0) terminal
 *   8 states, 7 transitions, 2 terminal states; T0 terminates.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setup } from 'xstate';
import { check, invariant, terminates, type StepEvent, type SystemSpec } from '../../../checker/index.js';
import {
  defineMmu,
  faultInReadable,
  faultInReadableResult,
  BLOCKED,
  rawCopyFromUserNofault,
  accessiblePrefix,
  reclaimFolio,
  reclaimFolioOk,
  type MmuWorld,
  ptePresent,
} from '../../../models/index.js';

const m = defineMmu({ pages: 1, unitsPerPage: 2 });

function system(): SystemSpec<MmuWorld> {
  type Ev = StepEvent<'faultIn' | 'copy', MmuWorld>;
  const t0 = setup({
    types: { context: {} as Record<string, never>, events: {} as Ev },
    guards: {
      canFaultIn: ({ event }) => faultInReadableResult(event.world, m, 0, 2) !== BLOCKED,
      copiesAll: ({ event }) => accessiblePrefix(event.world, m, 0, 2, false) === 2,
    },
    actions: {
      faultIn: ({ event }) => void faultInReadable(event.world, m, 0, 2),
      copy: ({ event }) => void rawCopyFromUserNofault(event.world, m, 0, 2, event.choice),
    },
  }).createMachine({
    id: 'fault-in-then-copy',
    initial: 'FAULTIN',
    context: {},
    states: {
      FAULTIN: { on: { faultIn: { guard: 'canFaultIn', target: 'COPY', actions: 'faultIn' } } },
      COPY: {
        on: {
          copy: [
            { guard: 'copiesAll', target: 'DONE', actions: 'copy' },
            { target: 'FAULTIN', actions: 'copy' },
          ],
        },
      },
      DONE: { type: 'final' },
    },
  });
  const reclaim = setup({
    types: { context: {} as Record<string, never>, events: {} as StepEvent<'evict', MmuWorld> },
    guards: { evictable: ({ event }) => reclaimFolioOk(event.world, m, 0) },
    actions: { evict: ({ event }) => reclaimFolio(event.world, m, 0) },
  }).createMachine({ id: 'reclaim', initial: 'RUN', context: {}, states: { RUN: { on: { evict: { guard: 'evictable', actions: 'evict' } } } } });
  return {
    name: 'mmu-fault-in-then-copy',
    world: m.fields,
    actors: [
      { name: 'T0', machine: t0, fields: {} },
      { name: 'reclaim', kind: 'environment', budget: 1, machine: reclaim, fields: {} },
    ],
    properties: [
      invariant<MmuWorld>(
        'done means mapped or reclaimed',
        (s) => s.actor('T0').state !== 'DONE' || ptePresent(s.world.pte[0]!) || s.actor('reclaim').budget === 0,
      ),
      terminates('T0'),
    ],
  };
}

describe('models/mmu under check()', () => {
  it('fault-in then nofault copy against reclaim (budget 1): 8 states, 7 transitions, 2 terminal; T0 terminates', () => {
    for (const strategy of ['bfs', 'dfs'] as const) {
      const r = check(system(), { strategy });
      assert.equal(r.verdict, 'holds', strategy);
      assert.deepEqual(
        { states: r.stats.states, transitions: r.stats.transitions, terminalStates: r.stats.terminalStates },
        { states: 8, transitions: 7, terminalStates: 2 },
      );
      // The world: vma[0] (NONE/RO/RW) and pte[0] (ABSENT/PRESENT_RO/PRESENT_RW), 2 bits each.
      assert.equal(r.stats.stateBits, 4 + 2 /* T0 state */ + 1 /* reclaim budget */);
    }
  });
});
