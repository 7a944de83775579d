/**
 * A userfaultfd handler thread (the fault resolver for "a uffd region with no (or a slow) handler
 * thread" as a kernel-mode fault's lock holder, and the uffd/FUSE resolver of a pipe reader): it resolves the missing pages of a range registered with
 * UFFDIO_REGISTER_MODE_MISSING by UFFDIO_COPY (fs/userfaultfd.c userfaultfd_copy() -> mfill_atomic_copy()),
 * which maps the page and wakes the faulting thread (models/mmu uffdioCopy). One step per page, `uffdioCopy`
 * (one choice per page it serves, enabled while that page is missing); it finishes once it has resolved
 * every page it serves. Reading the fault message from the uffd first is not modelled: UFFDIO_COPY of a
 * missing page is allowed whether or not a fault is pending.
 *
 * Fairness defaults to `none`: the handler may never respond (a slow or stuck userspace handler), which
 * is the lock holder the fatal-signal scenario needs.
 */
import { and, assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Fairness, type Shape, type StepEvent } from '../../checker/index.js';
import { BACKING_UFFD, uffdioCopy, uffdioCopyOk, type Mmu, type MmuWorld } from '../mmu/index.js';

export interface UffdHandlerOptions {
  readonly mmu: Mmu;
  /** The userfaultfd pages it serves (default: every page with backing 'uffd'). */
  readonly pages?: readonly number[];
}

/** Every option of uffdHandlerMachine and uffdHandlerActor: a key not listed is a typo, refused rather than left at its default. */
const UFFD_OPTIONS: Shape<UffdHandlerOptions & { readonly name?: string; readonly fairness?: Fairness }> = {
  name: 'string',
  fairness: 'checked',
  mmu: 'object',
  pages: 'array',
};

interface Ctx {
  /** Pages resolved so far. */
  resolved: number;
}

function servedPages(o: UffdHandlerOptions): readonly number[] {
  const m = o.mmu;
  const pages = o.pages ?? Array.from({ length: m.pages }, (_, p) => p).filter((p) => m.backing[p] === BACKING_UFFD);
  if (pages.length === 0) throw new RangeError('uffdHandler: no userfaultfd pages to serve');
  for (const p of pages) {
    if (!Number.isInteger(p) || p < 0 || p >= m.pages || m.backing[p] !== BACKING_UFFD)
      throw new RangeError(`uffdHandler: page ${p} is not a userfaultfd page`);
  }
  return pages;
}

/** The handler's machine: serving -uffdioCopy-> ... -> done once every served page was resolved. */
export function uffdHandlerMachine(o: UffdHandlerOptions) {
  assertShape(o, UFFD_OPTIONS, 'uffdHandlerMachine() options');
  const m = o.mmu;
  const pages = servedPages(o);
  return setup({
    types: { context: {} as Ctx, events: {} as StepEvent<'uffdioCopy', MmuWorld> },
    guards: {
      missing: ({ event }) => uffdioCopyOk(event.world, m, pages[event.choice]!),
      lastPage: ({ context }) => context.resolved + 1 === pages.length,
    },
    actions: {
      copy: ({ event }) => uffdioCopy(event.world, m, pages[event.choice]!),
      count: assign({ resolved: ({ context }) => context.resolved + 1 }),
    },
  }).createMachine({
    id: 'uffd-handler',
    initial: 'serving',
    context: { resolved: 0 },
    states: {
      serving: {
        on: {
          uffdioCopy: [
            { guard: and(['missing', 'lastPage']), target: 'done', actions: ['copy', 'count'] },
            { guard: 'missing', actions: ['copy', 'count'] },
          ],
        },
      },
      done: { type: 'final' },
    },
  });
}

/** The handler as an actor spec; label `ioctl(UFFDIO_COPY, p1)`. */
export function uffdHandlerActor(o: UffdHandlerOptions & { readonly name?: string; readonly fairness?: Fairness }): ActorSpec {
  assertShape(o, UFFD_OPTIONS, 'uffdHandlerActor() options');
  const pages = servedPages(o);
  return {
    name: o.name ?? 'uffd',
    machine: uffdHandlerMachine(o),
    fairness: o.fairness ?? 'none',
    fields: { resolved: int(0, pages.length) },
    choices: { uffdioCopy: pages.length },
    label: ({ event }) => `ioctl(UFFDIO_COPY, p${pages[event.choice]!})`,
  };
}
