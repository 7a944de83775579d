/**
 * ArchMappingQuirk: something in the architecture's kernel mappings that makes
 * copy_page_to_iter_nofault() fail for a kernel page independently of user memory. The instance modelled
 * is the one that hung /proc/kcore readers in 6.13 ("Bug: broken /proc/kcore in 6.13", Jan 2025): x86's
 * execmem ROX cache populates module text with execmem_cache_populate(), which calls
 * execmem_set_direct_map_valid(vm, false) -> set_direct_map_valid_noflush(page, nr, false) on the backing
 * pages, so the direct-map alias that kmap_local_page() returns is gone and the nofault copy's source
 * faults. Each step invalidates the alias of one vmalloc page of the kcore range (models/kcore/vmalloc.ts).
 *
 * It is an environment actor with a budget, but the budget is not a fairness assumption: one step is
 * enough to make the shipped read_kcore_iter() loop spin forever (termination "must not need FO for
 * non-fault failures"), and the page never becomes copyable again while the module is loaded.
 */
import { setup } from 'xstate';
import { assertShape, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import { kcorePageCopyable, setDirectMapValid, type Kcore, type KcoreWorld } from '../kcore/vmalloc.js';

export interface ArchMappingQuirkOptions {
  /** Column name in traces. Default 'execmem'. */
  readonly name?: string;
  /** Pages it may invalidate in one run. */
  readonly budget: number;
}

/** Every option of archMappingQuirkMachine and archMappingQuirkActor: a key not listed is a typo, refused rather than left at its default. */
const QUIRK_OPTIONS: Shape<ArchMappingQuirkOptions> = { name: 'string', budget: 'number' };

type QuirkEvent = StepEvent<'setDirectMapInvalid', KcoreWorld>;

/** The machine: one state, one step `setDirectMapInvalid` (choice = vmalloc page). */
export function archMappingQuirkMachine(k: Kcore, options: ArchMappingQuirkOptions) {
  assertShape(options, QUIRK_OPTIONS, 'archMappingQuirkMachine() options');
  return setup({
    types: { context: {} as Record<string, never>, events: {} as QuirkEvent },
    guards: { stillMapped: ({ event }) => kcorePageCopyable(event.world, k, event.choice) },
    actions: { setDirectMapInvalid: ({ event }) => setDirectMapValid(event.world, k, event.choice, false) },
  }).createMachine({
    id: options.name ?? 'execmem',
    initial: 'running',
    context: {},
    states: {
      running: {
        on: {
          setDirectMapInvalid: { guard: 'stillMapped', actions: 'setDirectMapInvalid', description: 'set_direct_map_valid_noflush(page, false)' },
        },
      },
    },
  });
}

/** The quirk actor: an environment with `budget` invalidations. */
export function archMappingQuirkActor(k: Kcore, options: ArchMappingQuirkOptions): ActorSpec<Record<string, never>, KcoreWorld> {
  assertShape(options, QUIRK_OPTIONS, 'archMappingQuirkActor() options');
  return {
    name: options.name ?? 'execmem',
    kind: 'environment',
    budget: options.budget,
    machine: archMappingQuirkMachine(k, options),
    fields: {},
    choices: { setDirectMapInvalid: k.pages },
    label: ({ event }) => `execmem ROX: set_direct_map_valid_noflush(vmalloc page ${event.choice}, false)`,
  };
}
