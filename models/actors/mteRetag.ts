/**
 * Retag: the `Retag` environment agent - another user thread that changes
 * the MTE allocation tags of the buffer (STG / ST2G on arm64, or mprotect(PROT_MTE) turning tag checks
 * on), so that a granule that matched the pointer's tag no longer does, or the other way round. Each step
 * retags one granule (one unit of the MMU): `setTag()` of models/mmu/env.ts.
 *
 * A probe-then-copy scheme (fault_in_subpage_writeable() + copy_to_user_nofault(), 18788e34642e) cannot
 * stop a retag that lands between the probe and the copy; it terminates only if retagging happens finitely
 * often (FO(Retag): Retag acts finitely often). So Retag is an environment actor whose budget is the number
 * of retags, and a fixed variant must hold for every budget up to the scenario's bound.
 */
import { setup } from 'xstate';
import { assertShape, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { setTag } from '../mmu/env.js';
import type { MmuWorld } from '../mmu/world.js';

export interface MteRetagOptions {
  /** Column name in traces. Default 'retag'. */
  readonly name?: string;
  /** Retags it may make in one run (FO(Retag)). */
  readonly budget: number;
  /** Units (granules) it may retag. Default: every unit of the MMU. */
  readonly units?: readonly number[];
  /** 'mismatch': only make tags mismatch; 'match': only repair them; 'both' (default). */
  readonly direction?: 'mismatch' | 'match' | 'both';
}

/** Every option of mteRetagMachine and mteRetagActor: a key not listed is a typo, refused rather than left at its default. */
const RETAG_OPTIONS: Shape<MteRetagOptions> = { name: 'string', budget: 'number', units: 'array', direction: 'checked' };

type RetagEvent = StepEvent<'setTag', MmuWorld>;

interface Plan {
  readonly unit: Int32Array;
  readonly ok: Int32Array;
}

/** The (unit, new tag-OK bit) of each choice, in unit order, mismatch before match. */
function plan(m: Mmu, options: MteRetagOptions): Plan {
  if (!m.mte) throw new RangeError('retag: the MMU has no MTE tags (set mte: true)');
  const units = options.units ?? Array.from({ length: m.units }, (_, u) => u);
  if (units.length === 0) throw new RangeError('retag: no units');
  const dir = options.direction ?? 'both';
  if (dir !== 'mismatch' && dir !== 'match' && dir !== 'both') throw new RangeError(`retag: direction '${String(dir)}' is not mismatch, match or both`);
  const unit: number[] = [];
  const ok: number[] = [];
  for (const u of units) {
    if (!Number.isInteger(u) || u < 0 || u >= m.units) throw new RangeError(`retag: unit ${u} is not a unit of the MMU (0..${m.units - 1})`);
    if (dir !== 'match') {
      unit.push(u);
      ok.push(0);
    }
    if (dir !== 'mismatch') {
      unit.push(u);
      ok.push(1);
    }
  }
  return { unit: Int32Array.from(unit), ok: Int32Array.from(ok) };
}

/** The retag machine: one state, one step `setTag` (choice = which granule and which way). */
export function mteRetagMachine(m: Mmu, options: MteRetagOptions) {
  assertShape(options, RETAG_OPTIONS, 'mteRetagMachine() options');
  const p = plan(m, options);
  return setup({
    types: { context: {} as Record<string, never>, events: {} as RetagEvent },
    guards: {
      // A retag that changes nothing is no step.
      changes: ({ event }) => event.world.tagOK![p.unit[event.choice]!] !== p.ok[event.choice],
    },
    actions: {
      setTag: ({ event }) => setTag(event.world, m, p.unit[event.choice]!, p.ok[event.choice] === 1),
    },
  }).createMachine({
    id: options.name ?? 'retag',
    initial: 'running',
    context: {},
    states: {
      running: { on: { setTag: { guard: 'changes', actions: 'setTag', description: 'STG: retag a granule' } } },
    },
  });
}

/** The retag actor: an environment with `budget` retags. */
export function mteRetagActor(m: Mmu, options: MteRetagOptions): ActorSpec<Record<string, never>, MmuWorld> {
  assertShape(options, RETAG_OPTIONS, 'mteRetagActor() options');
  const p = plan(m, options);
  return {
    name: options.name ?? 'retag',
    kind: 'environment',
    budget: options.budget,
    machine: mteRetagMachine(m, options),
    fields: {},
    choices: { setTag: p.unit.length },
    label: ({ event }) => `STG: granule ${p.unit[event.choice]} tag ${p.ok[event.choice] ? 'matches again' : 'mismatch'}`,
  };
}
