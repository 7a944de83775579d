/**
 * The iterator under the checker: a reader copies into a UBUF of 4 units over 2 pages (2 units each) with
 * page faults disabled and inexact copies; after a copy that makes no progress it runs
 * fault_in_iov_iter_writeable(to, 2) (a one-page window) and copies again. Counted by hand:
 *
 *   S0 (p0 A, p1 A; count 4; COPY)  -copy: nothing accessible, 0->       S1 (FAULT)
 *   S1 -faultIn(2): page 0 mapped->                                      S2 (p0 RW; count 4; COPY)
 *   S2 -copy: prefix 2 of 4 -> choice 0 copies 1 ->                       S3 (count 3; COPY)
 *      -copy: choice 1 copies 2 ->                                       S4 (count 2; COPY)
 *   S3 -copy: prefix 1 of 3, one outcome, copies 1 ->                     S4
 *   S4 -copy: 0 ->                                                       S5 (count 2; FAULT)
 *   S5 -faultIn(2): page 1 mapped ->                                     S6 (p1 RW; count 2; COPY)
 *   S6 -copy: all ->                                                     S7 (count 0; DONE)
 *   8 states, 8 transitions, 1 terminal; the reader makes progress and never WARNs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setup } from 'xstate';
import { check, type StepEvent, type SystemSpec } from '../../../checker/index.js';
import {
  BLOCKED,
  copyToIter,
  copyToIterChoices,
  copyToIterResult,
  defineIovIter,
  defineMmu,
  faultInIovIterWriteable,
  faultInIovIterWriteableResult,
  iterCount,
  iterDirection,
  iterProgress,
  type MmuWorld,
} from '../../../models/index.js';

const m = defineMmu({ pages: 2, unitsPerPage: 2 });
const to = defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 4 }] });

function system(): SystemSpec<MmuWorld> {
  type Ev = StepEvent<'copy' | 'faultIn', MmuWorld>;
  const count = (w: MmuWorld): number => iterCount(w, to);
  const reader = setup({
    types: { context: {} as Record<string, never>, events: {} as Ev },
    guards: {
      copiesAll: ({ event }) => copyToIterResult(event.world, to, count(event.world), event.choice) === count(event.world),
      copiesNothing: ({ event }) => copyToIterResult(event.world, to, count(event.world), event.choice) === 0,
      canFaultIn: ({ event }) => faultInIovIterWriteableResult(event.world, to, 2) !== BLOCKED,
    },
    actions: {
      copy: ({ event }) => void copyToIter(event.world, to, count(event.world), event.choice),
      faultIn: ({ event }) => void faultInIovIterWriteable(event.world, to, 2),
    },
  }).createMachine({
    id: 'nofault-read',
    initial: 'COPY',
    context: {},
    states: {
      COPY: {
        on: {
          copy: [{ guard: 'copiesAll', target: 'DONE', actions: 'copy' }, { guard: 'copiesNothing', target: 'FAULT', actions: 'copy' }, { actions: 'copy' }],
        },
      },
      FAULT: { on: { faultIn: { guard: 'canFaultIn', target: 'COPY', actions: 'faultIn' } } },
      DONE: { type: 'final' },
    },
  });
  return {
    name: 'iov-iter-nofault-read',
    world: { ...m.fields, ...to.fields },
    actors: [
      {
        name: 'reader',
        machine: reader,
        fields: {},
        choices: { copy: ({ event }) => copyToIterChoices(event.world as MmuWorld, to, count(event.world as MmuWorld)) },
      },
    ],
    properties: [iterProgress(to, { actor: 'reader' }), iterDirection(to)],
  };
}

describe('models/iov-iter under check()', () => {
  it('nofault copies with a one-page fault-in window: 8 states, 8 transitions, 1 terminal; progress holds', () => {
    for (const strategy of ['bfs', 'dfs'] as const) {
      const r = check(system(), { strategy });
      assert.equal(r.verdict, 'holds', strategy);
      assert.deepEqual(
        { states: r.stats.states, transitions: r.stats.transitions, terminalStates: r.stats.terminalStates },
        { states: 8, transitions: 8, terminalStates: 1 },
      );
    }
  });
});
