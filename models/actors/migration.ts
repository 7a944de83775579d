/**
 * Migration: the `Migration` environment agent of the direct-I/O model - page migration
 * (compaction, NUMA balancing, memory offlining) taking a user page's folio to a new place. One call of
 * migrate_pages() (mm/migrate.c) on one folio is two steps, so that other actors see the window between
 * them:
 *  1. `tryToMigrate` - migrate_folio_unmap(): folio_trylock() (MIGRATE_ASYNC gives up on a locked folio),
 *     give up on a folio under writeback (-EBUSY unless MIGRATE_SYNC), then try_to_migrate() replaces every
 *     present PTE with a migration entry (writable PTEs with writable entries). From here a fault on the
 *     page sleeps in migration_entry_wait(), GUP-fast falls back to the slow path, and a FOLL_NOFAULT GUP or
 *     a copy with page faults disabled fails (`migrateFolioStart` of models/mmu/env.ts).
 *  2. `removeMigrationPtes` - migrate_folio_move(): folio_migrate_mapping() freezes the refcount at the
 *     expected value and fails with -EAGAIN if anybody holds an extra reference or a pin (a bio's
 *     get_user_pages() reference, a FOLL_PIN pin); either way remove_migration_ptes() puts the PTEs back
 *     (pointing at the new folio on success; the model keeps the folio slot, its data and tags) and the
 *     folio is unlocked (`migrateFolioFinish`). This is why "once pinned, pages cannot be migrated"
 *     (a pinned direct-I/O read needs no fairness against migration).
 *
 * It acts only finitely often: an environment actor whose budget counts migrate_pages() calls. The first
 * step costs the unit, the second is free, so a started migration can always finish (migrate_pages() runs
 * to the end; the migration entry never stays for ever). With `steps: 'atomic'` a call is one step (no
 * window), for scenarios where the window does not matter.
 */
import { setup, assign } from 'xstate';
import { assertShape, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { migrateFolio, migrateFolioFinish, migrateFolioFinishOk, migrateFolioStart, migrateFolioStartOk } from '../mmu/env.js';
import { folioWriteback } from '../mmu/folio.js';
import type { MmuWorld } from '../mmu/world.js';
import { reclaimCandidates } from './reclaim.js';

export interface MigrationOptions {
  /** Column name in traces. Default 'migration'. */
  readonly name?: string;
  /** migrate_pages() calls it may make in one run. */
  readonly budget: number;
  /** User pages whose folios it may migrate (default: every page). Pages of one folio count once. */
  readonly pages?: readonly number[];
  /** 'two-step' (default): unmap to migration entries, then move or fail; 'atomic': one step. */
  readonly steps?: 'two-step' | 'atomic';
}

/** Every option of migrationMachine and migrationActor: a key not listed is a typo, refused rather than left at its default. */
const MIGRATION_OPTIONS: Shape<MigrationOptions> = { name: 'string', budget: 'number', pages: 'array', steps: 'checked' };

export interface MigrationContext {
  /** The folio whose PTEs are migration entries right now, or -1. */
  folio: number;
}

type MigrationEvent = StepEvent<'tryToMigrate' | 'removeMigrationPtes', MmuWorld>;

/** migrate_folio_unmap() would go ahead: folio_trylock() succeeds, no writeback, some PTE present. */
export function migrationCanStart(w: MmuWorld, m: Mmu, f: number): boolean {
  return migrateFolioStartOk(w, m, f) && !folioWriteback(w, m, f);
}

function pagesLabel(m: Mmu, f: number): string {
  const first = m.folioFirstPage[f]!;
  const n = m.folioNrPages[f]!;
  return n === 1 ? `p${first}` : `p${first}..p${first + n - 1}`;
}

/** The migration machine: `idle` -> tryToMigrate (choice = candidate) -> `unmapped` -> removeMigrationPtes -> `idle`. */
export function migrationMachine(m: Mmu, options: MigrationOptions) {
  assertShape(options, MIGRATION_OPTIONS, 'migrationMachine() options');
  if (!m.migration) throw new RangeError('migration: the MMU needs migration: true (the PTE states MIGRATION_RO / MIGRATION_RW)');
  const steps = options.steps ?? 'two-step';
  if (steps !== 'two-step' && steps !== 'atomic') throw new RangeError(`migration: steps '${String(steps)}' is not 'two-step' or 'atomic'`);
  const cands = reclaimCandidates(m, options.pages);
  return setup({
    types: { context: {} as MigrationContext, events: {} as MigrationEvent },
    guards: {
      canStart: ({ event }) => migrationCanStart(event.world, m, cands[event.choice]!),
    },
    actions: {
      unmap: ({ event }) => migrateFolioStart(event.world, m, cands[event.choice]!),
      move: ({ context, event }) => void migrateFolioFinish(event.world, m, context.folio),
      migrate: ({ event }) => void migrateFolio(event.world, m, cands[event.choice]!),
    },
  }).createMachine({
    id: options.name ?? 'migration',
    initial: 'idle',
    context: { folio: -1 },
    states:
      steps === 'atomic'
        ? {
            idle: { on: { tryToMigrate: { guard: 'canStart', actions: 'migrate', description: 'migrate_pages()' } } },
          }
        : {
            idle: {
              on: {
                tryToMigrate: {
                  guard: 'canStart',
                  target: 'unmapped',
                  actions: [assign({ folio: ({ event }) => cands[event.choice]! }), 'unmap'],
                  description: 'migrate_pages(): try_to_migrate()',
                },
              },
            },
            unmapped: {
              on: {
                removeMigrationPtes: {
                  target: 'idle',
                  actions: ['move', assign({ folio: -1 })],
                  description: 'migrate_pages(): remove_migration_ptes()',
                },
              },
            },
          },
  });
}

/** The migration actor: an environment with `budget` migrate_pages() calls. */
export function migrationActor(m: Mmu, options: MigrationOptions): ActorSpec<MigrationContext, MmuWorld> {
  assertShape(options, MIGRATION_OPTIONS, 'migrationActor() options');
  const cands = reclaimCandidates(m, options.pages);
  return {
    name: options.name ?? 'migration',
    kind: 'environment',
    budget: options.budget,
    machine: migrationMachine(m, options),
    fields: { folio: int(-1, m.folioCount - 1) },
    choices: { tryToMigrate: cands.length },
    // The atomic machine has no removeMigrationPtes step to cost (a cost for an event no state accepts is refused).
    cost: (options.steps ?? 'two-step') === 'atomic' ? { tryToMigrate: 1 } : { tryToMigrate: 1, removeMigrationPtes: 0 },
    label: ({ context, event }) => {
      const w = event.world as MmuWorld;
      if (event.type === 'tryToMigrate') {
        const f = cands[event.choice]!;
        if ((options.steps ?? 'two-step') === 'atomic') {
          return migrateFolioFinishOk(w, m, f)
            ? `migrate_pages(${pagesLabel(m, f)}): moved`
            : `migrate_pages(${pagesLabel(m, f)}): -EAGAIN, folio_migrate_mapping() finds an extra reference`;
        }
        return `migrate_pages(${pagesLabel(m, f)}): try_to_migrate(), PTE -> migration entry`;
      }
      const f = context.folio;
      return migrateFolioFinishOk(w, m, f)
        ? `migrate_pages(${pagesLabel(m, f)}): moved, remove_migration_ptes()`
        : `migrate_pages(${pagesLabel(m, f)}): -EAGAIN (extra reference or pin), remove_migration_ptes()`;
    },
  };
}
