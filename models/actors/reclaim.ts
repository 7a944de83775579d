/**
 * Reclaim: the `Reclaim` environment agent - memory pressure that takes a user
 * page away between a fault-in and the copy that needed it. Each step evicts one resident, evictable folio
 * the way shrink_folio_list() (mm/vmscan.c) does: try_to_unmap() clears its PTEs (anonymous pages become
 * swap entries when the world has swap), pageout / __remove_mapping() frees it, and its pages leave the
 * LRU. A folio that is locked, under writeback, pinned, holds extra references or is a dirty file folio is
 * skipped (folio_ref_freeze() would fail / it must be written back first): see `folioEvictable` in
 * models/mmu/lru.ts. The step is `reclaimFolio()` of models/mmu/env.ts.
 *
 * Reclaim acts only finitely often (FO(Reclaim) of 0.2): it is an environment actor whose budget is the
 * number of evictions, and a fixed variant must hold for every budget up to the scenario's bound.
 *
 * Policies:
 * - 'any' (default): the adversarial evictor (Al Viro's dynamic counterexample to the fault-in partial-success rule): any
 *   evictable candidate folio, one outcome per candidate.
 * - 'lru': kswapd-like background reclaim: only the least recently used evictable candidate on the
 *   resident LRU (deterministic, one outcome; needs an MMU with `capacity`).
 *
 * The deterministic eviction of E (faulting in page C+1 evicts one) is not this actor: the MMU's LRU does it
 * inside the fault (lruMakeResident).
 */
import { setup } from 'xstate';
import { assertShape, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { reclaimFolio, reclaimFolioOk } from '../mmu/env.js';
import { folioEvictable } from '../mmu/lru.js';
import type { MmuWorld } from '../mmu/world.js';

export interface ReclaimOptions {
  /** Column name in traces. Default 'reclaim'. */
  readonly name?: string;
  /** Evictions it may make in one run (FO(Reclaim)). */
  readonly budget: number;
  /** User pages whose folios it may evict (default: every page). Pages of one folio count once. */
  readonly pages?: readonly number[];
  /** 'any' (default): any evictable candidate; 'lru': only the least recently used one. */
  readonly policy?: 'any' | 'lru';
}

const RECLAIM_OPTIONS: Shape<ReclaimOptions> = { name: 'string', budget: 'number', pages: 'array', policy: 'checked' };

type ReclaimEvent = StepEvent<'shrinkFolioList', MmuWorld>;

/** The candidate folios, in page order, each once. */
export function reclaimCandidates(m: Mmu, pages?: readonly number[]): Int32Array {
  const list = pages ?? Array.from({ length: m.pages }, (_, p) => p);
  const out: number[] = [];
  for (const p of list) {
    if (!Number.isInteger(p) || p < 0 || p >= m.pages) throw new RangeError(`reclaim: page ${p} is not a page of the MMU (0..${m.pages - 1})`);
    const f = m.folioOfPage[p]!;
    if (!out.includes(f)) out.push(f);
  }
  if (out.length === 0) throw new RangeError('reclaim: no candidate pages');
  return Int32Array.from(out);
}

/** The LRU-policy victim: the least recently used resident page whose folio is a candidate and evictable, as a folio, or -1. */
export function reclaimLruVictim(w: MmuWorld, m: Mmu, candidates: Int32Array): number {
  const lru = w.lru!;
  for (let i = m.capacity - 1; i >= 0; i--) {
    const v = lru[i]!;
    if (v === 0) continue;
    const f = m.folioOfPage[v - 1]!;
    let cand = false;
    for (let k = 0; k < candidates.length; k++) if (candidates[k] === f) cand = true;
    if (cand && folioEvictable(w, m, f)) return f;
  }
  return -1;
}

function folioPagesLabel(m: Mmu, f: number): string {
  const first = m.folioFirstPage[f]!;
  const n = m.folioNrPages[f]!;
  return n === 1 ? `p${first}` : `p${first}..p${first + n - 1}`;
}

/** The reclaim machine: one state, one step `shrinkFolioList` (choice = candidate index for 'any'). */
export function reclaimMachine(m: Mmu, options: ReclaimOptions) {
  assertShape(options, RECLAIM_OPTIONS, 'reclaimMachine() options');
  const policy = options.policy ?? 'any';
  if (policy !== 'any' && policy !== 'lru') throw new RangeError(`reclaim: policy '${String(policy)}' is not 'any' or 'lru'`);
  if (policy === 'lru' && m.capacity === 0) throw new RangeError("reclaim: policy 'lru' needs an MMU with a capacity (the resident LRU)");
  const cands = reclaimCandidates(m, options.pages);
  const victim = (w: MmuWorld, choice: number): number => (policy === 'lru' ? reclaimLruVictim(w, m, cands) : cands[choice]!);
  return setup({
    types: { context: {} as Record<string, never>, events: {} as ReclaimEvent },
    guards: {
      evictable: ({ event }) => {
        const f = victim(event.world, event.choice);
        return f >= 0 && reclaimFolioOk(event.world, m, f);
      },
    },
    actions: {
      shrinkFolioList: ({ event }) => reclaimFolio(event.world, m, victim(event.world, event.choice)),
    },
  }).createMachine({
    id: options.name ?? 'reclaim',
    initial: 'running',
    context: {},
    states: {
      running: {
        on: { shrinkFolioList: { guard: 'evictable', actions: 'shrinkFolioList', description: 'shrink_folio_list()' } },
      },
    },
  });
}

/** The reclaim actor: an environment with `budget` evictions. */
export function reclaimActor(m: Mmu, options: ReclaimOptions): ActorSpec<Record<string, never>, MmuWorld> {
  assertShape(options, RECLAIM_OPTIONS, 'reclaimActor() options');
  const policy = options.policy ?? 'any';
  const cands = reclaimCandidates(m, options.pages);
  return {
    name: options.name ?? 'reclaim',
    kind: 'environment',
    budget: options.budget,
    machine: reclaimMachine(m, options),
    fields: {},
    choices: { shrinkFolioList: policy === 'lru' ? 1 : cands.length },
    label: ({ event }) => {
      const f = policy === 'lru' ? reclaimLruVictim(event.world as MmuWorld, m, cands) : cands[event.choice]!;
      return f < 0 ? 'shrink_folio_list()' : `shrink_folio_list(): evict ${folioPagesLabel(m, f)}`;
    },
  };
}
