/**
 * Test helpers for the models: worlds in both representations the operations must accept (a plain object
 * of numbers and number[], as under xstate; and the engine's generated view over an Int32Array), a
 * snapshot for comparisons, and fast-check generators of small MMU configurations.
 */
import fc from 'fast-check';
import { setup } from 'xstate';
import { compileSystem, type FieldSpecs } from '../../checker/index.js';
import { plainWorld as shadowWorld } from '../../checker/system/shadow.js';
import { defineMmu, type Mmu, type MmuOptions, type MmuWorld, type PteName, type VmaName, type BackingName } from '../../models/index.js';

/** A plain world (xstate's representation). */
export function plainWorld(fields: FieldSpecs): MmuWorld & Record<string, any> {
  return shadowWorld(fields) as unknown as MmuWorld & Record<string, any>;
}

const idle = setup({}).createMachine({ id: 'idle', initial: 'done', states: { done: { type: 'final' } } });

/**
 * The engine's world view with the fields' initial values: scalars as getters/setters over the slot
 * buffer, arrays as checked plain arrays; standalone, so what a model operation writes reads back.
 */
export function engineWorld(fields: FieldSpecs): MmuWorld & Record<string, any> {
  const sys = compileSystem({ name: 'world', world: fields, actors: [{ name: 'idle', machine: idle, fields: {} }], properties: [] });
  const S = Int32Array.from(sys.initial);
  return sys.worldView(S, false, true) as unknown as MmuWorld & Record<string, any>;
}

/** A comparable copy of a world. */
export function snap(w: object, fields: FieldSpecs): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  const src = w as Record<string, unknown>;
  for (const [k, f] of Object.entries(fields)) out[k] = f.kind === 'scalar' ? (src[k] as number) : Array.from(src[k] as ArrayLike<number>);
  return out;
}

export interface MmuCase {
  readonly opts: MmuOptions;
  readonly m: Mmu;
}

/** Small random MMUs: 1..3 pages of 1..4 units, random VMAs, PTEs, backings, tags and poison. */
export function arbMmu(extra: Partial<MmuOptions> = {}, sizes: { maxPages?: number; maxUnits?: number } = {}): fc.Arbitrary<MmuCase> {
  const maxPages = sizes.maxPages ?? 3;
  const maxUnits = sizes.maxUnits ?? 4;
  return fc
    .record({ pages: fc.integer({ min: 1, max: maxPages }), unitsPerPage: fc.integer({ min: 1, max: maxUnits }) })
    .chain(({ pages, unitsPerPage }) => {
      const units = pages * unitsPerPage;
      return fc.record({
        pages: fc.constant(pages),
        unitsPerPage: fc.constant(unitsPerPage),
        vma: fc.array(fc.constantFrom<VmaName>('NONE', 'RO', 'RW', 'RW'), { minLength: pages, maxLength: pages }),
        pte: fc.array(fc.constantFrom<PteName>('ABSENT', 'PRESENT_RO', 'PRESENT_RW'), { minLength: pages, maxLength: pages }),
        backing: fc.array(fc.constantFrom<BackingName>('anon', 'file', 'shmem'), { minLength: pages, maxLength: pages }),
        tagOK: fc.array(fc.constantFrom(true, true, true, false), { minLength: units, maxLength: units }),
        poison: fc.uniqueArray(fc.integer({ min: 0, max: units - 1 }), { maxLength: 1 }),
      });
    })
    .map((r) => {
      // A writable PTE needs a writable VMA (mprotect() write-protects the PTEs).
      const pte = r.pte.map((p, i) => (p === 'PRESENT_RW' && r.vma[i] !== 'RW' ? 'PRESENT_RO' : p));
      const opts: MmuOptions = { ...r, pte, mte: true, poison: r.poison, ...extra };
      return { opts, m: defineMmu(opts) };
    });
}

/** Both world representations of an MMU, fresh. */
export function bothWorlds(fields: FieldSpecs): readonly (MmuWorld & Record<string, any>)[] {
  return [plainWorld(fields), engineWorld(fields)];
}
