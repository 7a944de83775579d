/**
 * The tutorial's model (docs/tutorial.md): a read() that copies two pages to user memory with page
 * faults disabled and, when a page is missing, faults in a window of pages and retries - on a machine
 * that can keep only one of them resident. Faulting in the whole window evicts the page the copy needs
 * next, so the loop never gets anywhere. The fix faults in only the page the copy stopped at.
 */
import { setup, assign } from 'xstate';
import { array, bool, defineScenario, int, progress, type StepEvent, type SystemSpec } from 'faultline';

const PAGES = 2;

interface World {
  /** present[i] = 1 while page i is resident. */
  readonly present: Int32Array | number[];
}

type Variant = 'buggy' | 'fixed';

/** Fault in pages [from, to): a missing page is made present, evicting another when `capacity` are. */
function faultIn(present: World['present'], from: number, to: number, capacity: number): void {
  for (let p = from; p < to; p++) {
    if (present[p]) continue;
    let resident = 0;
    for (let i = 0; i < PAGES; i++) resident += present[i]!;
    if (resident === capacity) {
      for (let i = 0; i < PAGES; i++) {
        if (present[i] && i !== p) {
          present[i] = 0; // evict the lowest-numbered other page
          break;
        }
      }
    }
    present[p] = 1;
  }
}

function reader(variant: Variant, capacity: number) {
  return setup({
    types: { context: {} as { pos: number }, events: {} as StepEvent<'copy' | 'faultIn', World> },
    guards: {
      lastPagePresent: ({ context, event }) => event.world.present[context.pos] === 1 && context.pos === PAGES - 1,
      pagePresent: ({ context, event }) => event.world.present[context.pos] === 1,
    },
    actions: {
      faultIn: ({ context, event }) => faultIn(event.world.present, context.pos, variant === 'buggy' ? PAGES : context.pos + 1, capacity),
    },
  }).createMachine({
    id: 'reader',
    initial: 'copying',
    context: { pos: 0 },
    states: {
      copying: {
        on: {
          copy: [
            {
              guard: 'lastPagePresent',
              target: 'done',
              actions: assign({ pos: ({ context }) => context.pos + 1 }),
              description: 'copy_to_user_nofault(): last page done',
            },
            { guard: 'pagePresent', actions: assign({ pos: ({ context }) => context.pos + 1 }), description: 'copy_to_user_nofault(): one page' },
            { target: 'faulting', description: 'copy_to_user_nofault() -> -EFAULT' },
          ],
        },
      },
      faulting: {
        on: {
          faultIn: { target: 'copying', actions: 'faultIn', description: variant === 'buggy' ? 'fault_in_writeable(pos..end)' : 'fault_in_writeable(pos)' },
        },
      },
      done: { type: 'final' },
    },
  });
}

function build(capacity: number, variant: Variant): SystemSpec<World> {
  return {
    name: `retry-loop-${variant}`,
    world: { present: array(PAGES, bool()) },
    actors: [{ name: 'CPU0', machine: reader(variant, capacity), fields: { pos: int(0, PAGES) } }],
    properties: [
      progress<World>('read makes progress', {
        description: 'read() returns: it never retries forever without copying a page',
        inFlight: (s) => !s.actor('CPU0').final,
        progress: (before, after) => after.actor('CPU0').context.pos > before.actor('CPU0').context.pos,
      }),
    ],
  };
}

export default defineScenario({
  id: 'retry-loop',
  title: 'tutorial: a fault-in-and-retry loop that livelocks when the window outgrows memory',
  source: 'docs/tutorial.md',
  description: 'CPU0 copies two pages with page faults disabled; on a missing page it faults pages in and retries.',
  params: { capacity: { description: 'pages that can be resident at once', default: 1, min: 1, max: 2 } },
  variants: {
    buggy: {
      description: 'fault in every page from the failing one to the end',
      expected: { verdict: 'violated', property: 'read makes progress' },
      provenance: { kind: 'hypothetical', why: 'the tutorial example, not a particular kernel' },
    },
    fixed: {
      description: 'fault in only the page the copy stopped at',
      expected: { verdict: 'holds' },
      provenance: { kind: 'hypothetical', why: 'the tutorial example, not a particular kernel' },
    },
  },
  defaultVariant: 'buggy',
  build: (p, v) => build(p.capacity, v as Variant),
});
