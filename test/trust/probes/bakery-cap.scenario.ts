/**
 * Probe (issue 14): Lamport's bakery lock as BEEM writes it, tickets capped at `cap` (a process that
 * would take a ticket past the cap waits). Two processes each enter the critical section twice; with
 * the cap reached they wait forever: the maximal run ends with both in flight, which `terminates`
 * must report (before: holds).
 */
import { assign, setup } from 'xstate';
import { array, defineScenario, int, invariant, terminates, type StepEvent } from 'faultline';

interface World {
  choosing: number[];
  number: number[];
}
const other = (me: number) => 1 - me;

function bakery(me: number, cap: number) {
  return setup({
    types: { context: {} as { rounds: number }, events: {} as StepEvent<'choose' | 'take' | 'enter' | 'leave', World> },
    guards: {
      // The ticket to take is below the cap (BEEM's bakery bounds the ticket numbers).
      ticketFits: ({ event }) => event.world.number[other(me)]! + 1 <= cap,
      myTurn: ({ event }) => {
        const w = event.world;
        const them = w.number[other(me)]!;
        return w.choosing[other(me)] === 0 && (them === 0 || them > w.number[me]! || (them === w.number[me] && other(me) > me));
      },
    },
    actions: {
      choose: ({ event }) => void (event.world.choosing[me] = 1),
      take: ({ event }) => {
        event.world.number[me] = event.world.number[other(me)]! + 1;
        event.world.choosing[me] = 0;
      },
      leave: ({ event }) => void (event.world.number[me] = 0),
    },
  }).createMachine({
    id: 'bakery',
    initial: 'idle',
    context: { rounds: 0 },
    states: {
      idle: { on: { choose: { target: 'choosing', actions: 'choose' } } },
      choosing: { on: { take: { guard: 'ticketFits', target: 'waiting', actions: 'take' } } },
      waiting: { on: { enter: { guard: 'myTurn', target: 'critical' } } },
      critical: {
        on: {
          leave: [
            { guard: ({ context }) => context.rounds >= 1, target: 'done', actions: 'leave' },
            { target: 'idle', actions: ['leave', assign({ rounds: ({ context }) => context.rounds + 1 })] },
          ],
        },
      },
      done: { type: 'final' },
    },
  });
}

export default defineScenario({
  id: 'probe-bakery-cap',
  title: 'bakery lock with capped tickets',
  source: 'issue 14 probe (BEEM bakery)',
  description: 'Two processes, two rounds each, tickets at most cap.',
  params: { cap: { description: 'the largest ticket', default: 1, min: 1, max: 4 } },
  variants: { capped: { description: 'capped tickets', expected: { verdict: 'violated' }, provenance: { kind: 'hypothetical', why: 'a probe' } } },
  defaultVariant: 'capped',
  build: ({ cap }) => ({
    name: 'probe-bakery-cap',
    world: { choosing: array(2, int(0, 1)), number: array(2, int(0, cap)) },
    actors: [0, 1].map((me) => ({ name: `P${me}`, machine: bakery(me, cap), fields: { rounds: int(0, 1) } })),
    properties: [
      invariant<World>('mutual exclusion', (s) => !(s.actor('P0').state === 'critical' && s.actor('P1').state === 'critical')),
      terminates('P0'),
      terminates('P1'),
    ],
  }),
});
