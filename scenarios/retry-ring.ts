/**
 * retry-ring: the peer benchmark. N readers each copy P pages in order with page faults disabled; on a
 * missing page they fault in a window that halves on every retry, under a resident capacity of C pages
 * (faulting in page C+1 evicts the lowest-index present page outside the window), while reclaim evicts
 * any present page up to B times. Every step is atomic. The same model is encoded for SPIN and Rumur in
 * bench/peers/, and all three tools report the same state and transition counts.
 */
import { assign, setup } from 'xstate';
import { array, bool, bound, deadlockFreedom, int, invariant, terminates, type StepEvent, type SystemSpec } from '../checker/index.js';
import { defineScenario } from './scenario.js';

export interface RingWorld {
  /** present[i] = 1 when page i is resident. */
  readonly present: Int32Array | number[];
}

type ReaderEvent = StepEvent<'copy' | 'faultIn', RingWorld>;

function countPresent(present: RingWorld['present'], pages: number): number {
  let n = 0;
  for (let i = 0; i < pages; i++) n += present[i]!;
  return n;
}

/** The reader's fault-in: for each missing page of [pos, e) in order, make it present, evicting if full. */
function faultInWindow(present: RingWorld['present'], pos: number, win: number, pages: number, capacity: number): void {
  const e = Math.min(pos + win, pages);
  let n = countPresent(present, pages);
  for (let j = pos; j < e; j++) {
    if (present[j]) continue;
    if (n < capacity) {
      present[j] = 1;
      n++;
      continue;
    }
    let victim = -1;
    for (let i = 0; i < pages; i++) {
      if (present[i] && (i < pos || i >= e)) {
        victim = i;
        break;
      }
    }
    if (victim < 0) break; // no page outside the window to give up: skip the rest of the window
    present[victim] = 0;
    present[j] = 1;
  }
}

export function readerMachine(pages: number, capacity: number, retries: number) {
  return setup({
    types: { context: {} as { pos: number; retries: number; win: number }, events: {} as ReaderEvent },
    guards: {
      lastPagePresent: ({ context, event }) => event.world.present[context.pos] === 1 && context.pos + 1 === pages,
      pagePresent: ({ context, event }) => event.world.present[context.pos] === 1,
      outOfRetries: ({ context }) => context.retries === retries,
    },
    actions: {
      faultInWindow: ({ context, event }) => faultInWindow(event.world.present, context.pos, context.win, pages, capacity),
    },
  }).createMachine({
    id: 'retry-ring-reader',
    initial: 'COPY',
    context: { pos: 0, retries: 0, win: pages },
    states: {
      COPY: {
        on: {
          copy: [
            { guard: 'lastPagePresent', target: 'DONE', actions: assign({ pos: ({ context }) => context.pos + 1 }) },
            { guard: 'pagePresent', actions: assign({ pos: ({ context }) => context.pos + 1 }) },
            { target: 'FAULT' },
          ],
        },
      },
      FAULT: {
        on: {
          faultIn: [
            { guard: 'outOfRetries', target: 'ERR', actions: 'faultInWindow' },
            {
              target: 'COPY',
              actions: [
                'faultInWindow',
                assign({ retries: ({ context }) => context.retries + 1, win: ({ context }) => Math.max(1, Math.floor(context.win / 2)) }),
              ],
            },
          ],
        },
      },
      DONE: { type: 'final' },
      ERR: { type: 'final' },
    },
  });
}

export function reclaimMachine() {
  return setup({
    types: { context: {} as Record<string, never>, events: {} as StepEvent<'evict', RingWorld> },
    guards: { pagePresent: ({ event }) => event.world.present[event.choice] === 1 },
    actions: {
      evict: ({ event }) => {
        event.world.present[event.choice] = 0;
      },
    },
  }).createMachine({
    id: 'retry-ring-reclaim',
    initial: 'RUN',
    context: {},
    states: { RUN: { on: { evict: { guard: 'pagePresent', actions: 'evict' } } } },
  });
}

type Params = 'readers' | 'pages' | 'capacity' | 'budget' | 'retries';

export function buildRetryRing(p: Readonly<Record<Params, number>>, withProgress = false): SystemSpec<RingWorld> {
  const reader = readerMachine(p.pages, p.capacity, p.retries);
  const readers = Array.from({ length: p.readers }, (_, r) => ({
    name: `reader${r}`,
    machine: reader,
    // retries may reach R + 1 in the domain, so the bound "retries <= R" is a real check, not a domain error.
    fields: { pos: int(0, p.pages), retries: int(0, p.retries + 1), win: int(1, p.pages) },
  }));
  return {
    name: 'retry-ring',
    world: { present: array(p.pages, bool()) },
    // The readers run one machine from one start and no step tells them apart: `--reduce symmetry`
    // explores one state per renaming of them (checker/reduce/symmetry.ts).
    ...(p.readers > 1 ? { symmetric: { readers: readers.map((r) => r.name) } } : {}),
    actors: [
      ...readers,
      {
        name: 'reclaim',
        kind: 'environment',
        budget: p.budget,
        machine: reclaimMachine(),
        fields: {},
        choices: { evict: p.pages },
        label: ({ event }) => `evict(p${event.choice})`,
      },
    ],
    properties: [
      invariant<RingWorld>('capacity', (s) => countPresent(s.world.present, p.pages) <= p.capacity, {
        description: `at most ${p.capacity} pages present`,
        explain: (s) => `${countPresent(s.world.present, p.pages)} pages present, capacity ${p.capacity}`,
      }),
      bound<RingWorld>(
        'retries',
        (s) => {
          let worst = 0;
          for (let r = 0; r < p.readers; r++) worst = Math.max(worst, s.actors[r]!.context.retries);
          return worst;
        },
        p.retries,
        { description: 'no reader retries more than its limit' },
      ),
      deadlockFreedom(),
      ...(withProgress ? readers.map((r) => terminates<RingWorld>(r.name, { name: `${r.name} returns` })) : []),
    ],
  };
}

export const retryRing = defineScenario({
  id: 'retry-ring',
  title: 'peer benchmark: N readers fault in shrinking windows under capacity C and reclaim budget B',
  source: 'faultline issue #2; encoded identically for SPIN and Rumur in bench/peers/',
  description:
    'N readers copy P pages in order; a missing page sends a reader to fault in a window [pos, pos+win) that halves on every retry ' +
    '(at most R retries, then ERR). Resident capacity C: faulting in a page when C are present evicts the lowest-index present page ' +
    'outside the window. Reclaim evicts any present page, at most B times. Safety only: capacity, retries <= R, no deadlock.',
  params: {
    readers: { description: 'readers (N)', default: 2, min: 1, max: 8 },
    pages: { description: 'pages (P)', default: 4, min: 1, max: 16 },
    capacity: { description: 'resident capacity (C)', default: 2, min: 1, max: 16 },
    budget: { description: 'reclaim budget (B)', default: 2, min: 0, max: 16 },
    retries: { description: 'retries per reader (R)', default: 2, min: 0, max: 16 },
  },
  variants: {
    ring: {
      description: 'the model as specified',
      expected: { verdict: 'holds' },
      provenance: {
        kind: 'hypothetical',
        why: 'an abstract fault-in retry ring (faultline issue #2), encoded identically for SPIN and Rumur in bench/peers/ to compare checkers; not kernel code',
      },
    },
    progress: {
      description: 'the same model plus "every reader returns" (progress, weak fairness)',
      expected: { verdict: 'holds' },
      provenance: {
        kind: 'hypothetical',
        why: 'the retry ring of faultline issue #2 with a progress property, for the checker comparison in bench/; not kernel code',
      },
    },
  },
  defaultVariant: 'ring',
  validate: (p) => (p.capacity > p.pages ? `capacity (${p.capacity}) cannot exceed pages (${p.pages})` : null),
  build: (p, v) => buildRetryRing(p, v === 'progress'),
});
