/**
 * A DMA device writing through a pin (the device of the stable-pages protocol): "may write to a pinned
 * folio at any time until it is unpinned". It writes a folio only while a pinner has it mapped for DMA
 * (`dmaMapped`, models/block/dma.ts); each write is `dmaWrite()` of models/mmu/folio.ts - a new data
 * version and no dirty bit (the device bypasses the page tables and ->page_mkwrite()).
 *
 * An environment actor whose budget counts writes: the device acts finitely often, and nothing waits for
 * it (a pinner unpins when its own I/O is done; whether the device wrote before that is the adversary's
 * choice). One step per write, one outcome per mapped folio among `folios`.
 */
import { setup } from 'xstate';
import { assertShape, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { dmaWrite } from '../mmu/folio.js';
import { dmaIsMapped, type DmaWorld } from '../block/dma.js';

export interface DmaOptions {
  /** Column name in traces. Default 'DMA'. */
  readonly name?: string;
  /** Writes the device may make in one run. */
  readonly budget: number;
  /** The folios it may write when mapped (default: every folio). */
  readonly folios?: readonly number[];
}

/** Every option of dmaMachine and dmaActor: a key not listed is a typo, refused rather than left at its default. */
const DMA_OPTIONS: Shape<DmaOptions> = { name: 'string', budget: 'number', folios: 'array' };

type DmaEvent = StepEvent<'dmaWrite', DmaWorld>;

function folioList(m: Mmu, folios?: readonly number[]): Int32Array {
  const list = folios ?? Array.from({ length: m.folioCount }, (_, f) => f);
  if (list.length === 0) throw new RangeError('DMA: no folios');
  for (const f of list)
    if (!Number.isInteger(f) || f < 0 || f >= m.folioCount) throw new RangeError(`DMA: folio ${f} is not a folio of the MMU (0..${m.folioCount - 1})`);
  if (m.versions === 0) throw new RangeError('DMA: the MMU needs versions >= 2 to see what the device writes');
  return Int32Array.from(list);
}

/** The device machine: one state, one step `dmaWrite` (choice = folio). */
export function dmaMachine(m: Mmu, options: DmaOptions) {
  assertShape(options, DMA_OPTIONS, 'dmaMachine() options');
  const folios = folioList(m, options.folios);
  return setup({
    types: { context: {} as Record<string, never>, events: {} as DmaEvent },
    guards: { mapped: ({ event }) => dmaIsMapped(event.world, folios[event.choice]!) },
    actions: { write: ({ event }) => dmaWrite(event.world, m, folios[event.choice]!) },
  }).createMachine({
    id: options.name ?? 'DMA',
    initial: 'running',
    context: {},
    states: { running: { on: { dmaWrite: { guard: 'mapped', actions: 'write', description: 'DMA write' } } } },
  });
}

/** The DMA device: an environment with `budget` writes. */
export function dmaActor(m: Mmu, options: DmaOptions): ActorSpec<Record<string, never>, DmaWorld> {
  assertShape(options, DMA_OPTIONS, 'dmaActor() options');
  const folios = folioList(m, options.folios);
  return {
    name: options.name ?? 'DMA',
    kind: 'environment',
    budget: options.budget,
    machine: dmaMachine(m, options),
    fields: {},
    choices: { dmaWrite: folios.length },
    label: ({ event }) => {
      const f = folios[event.choice]!;
      const first = m.folioFirstPage[f]!;
      return `device DMA-writes p${first}${m.folioNrPages[f]! > 1 ? `..p${first + m.folioNrPages[f]! - 1}` : ''} through the pin`;
    },
  };
}
