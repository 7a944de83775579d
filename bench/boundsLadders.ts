/**
 * The ladders of bench/bounds.ts: per scenario, the parameters that size a configuration (pages, CPUs,
 * budgets, environment actors: not the switches that pick a different configuration, like `bad` or
 * `aops`), and the largest value each had on main before issue 9 item 7 widened the domains. A ladder
 * starts at the variant's defaults and raises one sizing parameter by one per rung, round-robin in the
 * order given, skipping a parameter at its maximum or whose raise the scenario's validate() refuses;
 * it ends when none can be raised. `before` caps each at its old maximum (a parameter added since stays
 * at its default); `after` at the scenario's declared domain.
 */
import { resolveParams, ScenarioInputError, variantParams, type AnyScenario } from '../scenarios/index.js';

export interface LadderSpec {
  /** Sizing parameters, in the order the ladder raises them. */
  readonly grow: readonly string[];
  /** Each sizing parameter's maximum before the domains were widened (main on 2026-12-05). */
  readonly before: Readonly<Record<string, number>>;
}

export const LADDERS: Readonly<Record<string, LadderSpec>> = {
  'retry-ring': {
    grow: ['readers', 'pages', 'capacity', 'budget', 'retries'],
    before: { readers: 8, pages: 16, capacity: 16, budget: 16, retries: 16 },
  },
  'gfs2-mmap-deadlock': { grow: ['pages', 'requests', 'reclaim'], before: { pages: 3, requests: 3, reclaim: 4 } },
  'fault-in-partial': { grow: ['pages', 'units', 'reclaim', 'munmap'], before: { pages: 3, units: 2, reclaim: 2, munmap: 2 } },
  'mte-subpage': {
    grow: ['pages', 'granules', 'items', 'itemLen', 'retag', 'reclaim'],
    before: { pages: 4, granules: 8, items: 4, itemLen: 4, retag: 3, reclaim: 3 },
  },
  // munmaps stays 0: efault-partial holds only while the user buffer stays mapped (its description).
  'dio-short-read': { grow: ['migrations', 'reclaims'], before: { migrations: 2, reclaims: 2 } },
  'fault-in-window': { grow: ['pages', 'capacity', 'reclaim'], before: { pages: 4, capacity: 4, reclaim: 3 } },
  'kcore-read': { grow: ['chunks', 'pageUnits', 'reclaim'], before: { chunks: 3, pageUnits: 4, reclaim: 3 } },
  'fault-retry-signal': { grow: ['pages', 'holds'], before: { pages: 3, holds: 3 } },
  'stable-pages': { grow: ['pinners', 'dmaWrites', 'passes', 'releases'], before: { pinners: 1, dmaWrites: 2, passes: 2, releases: 1 } },
  'iter-direction': { grow: ['units', 'reclaim'], before: { units: 3, reclaim: 3 } },
  'pipe-atomic': { grow: ['writers', 'pipeBuf', 'len', 'split', 'munmaps', 'reader'], before: { pipeBuf: 4, len: 4, split: 3, munmaps: 1, reader: 1 } },
  // reclaims stays 0: skip-ilock holds only without reclaim between the fault-in and the retry (its description).
  'btrfs-dio-append': { grow: ['count'], before: { count: 2 } },
  'longterm-pin-cma': { grow: ['isolations'], before: { isolations: 3 } },
  'madv-populate': { grow: [], before: {} },
  'dirty-pipe': { grow: ['slots', 'pageUnits'], before: { slots: 4, pageUnits: 4 } },
  'fork-pin': { grow: [], before: {} },
  'write-prefault': { grow: ['reclaim', 'evict'], before: { reclaim: 2, evict: 2 } },
  'large-folio-write': { grow: ['capacity'], before: { capacity: 3 } },
  'vma-lock-fault': { grow: ['writes'], before: { writes: 2 } },
};

/** The configurations of one ladder, smallest first (see the file comment). */
export function* ladder(s: AnyScenario, variant: string, spec: LadderSpec, phase: 'before' | 'after'): Generator<Record<string, number>> {
  const taken = variantParams(s, variant);
  const grow = spec.grow.filter((k) => taken.includes(k));
  const max = (k: string): number => (phase === 'before' ? (spec.before[k] ?? s.params[k]!.default) : s.params[k]!.max);
  let current = resolveParams(s, {}, variant);
  yield current;
  let next = 0;
  for (;;) {
    let raised: Record<string, number> | null = null;
    for (let t = 0; t < grow.length && !raised; t++) {
      const k = grow[(next + t) % grow.length]!;
      if (current[k]! + 1 > max(k)) continue;
      try {
        raised = resolveParams(s, { ...current, [k]: current[k]! + 1 }, variant);
        next = (next + t + 1) % grow.length;
      } catch (e) {
        if (!(e instanceof ScenarioInputError)) throw e;
      }
    }
    if (!raised) return;
    current = raised;
    yield current;
  }
}
