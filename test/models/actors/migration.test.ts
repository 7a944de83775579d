/**
 * The migration environment actor (models/actors/migration.ts) alone on tiny worlds, with hand-counted
 * state spaces, the window a migration entry opens, the -EAGAIN of a referenced folio, and conformance.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, invariant, type SystemSpec } from '../../../checker/index.js';
import { migrationActor } from '../../../models/actors/migration.js';
import { defineMmu, PTE_MIGRATION_RW, PTE_PRESENT_RO, PTE_PRESENT_RW, type MmuWorld } from '../../../models/index.js';
import { assertConformance } from '../../checker/conformance.js';

function alone(m: ReturnType<typeof defineMmu>, budget: number, world = m.fields, steps: 'two-step' | 'atomic' = 'two-step'): SystemSpec<MmuWorld> {
  return { name: 'migration', world, actors: [migrationActor(m, { budget, steps })], properties: [] };
}

describe('models/actors/migration.ts', () => {
  it('two pages present, budget 1: 1 + 2 (entries) + 1 (back, budget 0) states, 2 + 2 transitions', () => {
    // S0 -> tryToMigrate(p0) -> S1 (p0 MIGRATION_RW, locked) -> removeMigrationPtes -> S3 (S0's world,
    // budget 0); p1 likewise through S2 to the same S3: the world returns to its start, the budget does not.
    const m = defineMmu({ pages: 2, unitsPerPage: 1, pte: 'PRESENT_RW', migration: true, pageLock: true });
    const r = check(alone(m, 1));
    assert.equal(r.verdict, 'holds');
    assert.deepEqual([r.stats.states, r.stats.transitions], [4, 4]);
    assertConformance(alone(m, 2), { runs: 30, maxSteps: 8 });
  });

  it('atomic: one step per call; budget 2 over two pages: 3 states (the world never changes, only the budget does), 2 + 2 transitions', () => {
    const m = defineMmu({ pages: 2, unitsPerPage: 1, pte: 'PRESENT_RO', migration: true });
    const r = check(alone(m, 2, m.fields, 'atomic'));
    assert.deepEqual([r.stats.states, r.stats.transitions], [3, 4]);
    assertConformance(alone(m, 2, m.fields, 'atomic'), { runs: 20, maxSteps: 5 });
  });

  it('an absent page, a locked folio and a folio under writeback are not migrated; the entry keeps the write bit and the folio lock', () => {
    const m = defineMmu({
      pages: 3,
      unitsPerPage: 1,
      pte: ['ABSENT', 'PRESENT_RW', 'PRESENT_RW'],
      migration: true,
      pageLock: true,
      writeback: true,
      backing: 'file',
    });
    const world = { ...m.fields, folioWriteback: { ...(m.fields.folioWriteback as any), init: [0, 0, 1] } };
    const r = check({
      ...alone(m, 1, world),
      properties: [
        invariant<MmuWorld>(
          'only p1 migrates, locked while its PTE is an entry',
          (s) =>
            s.world.pte[0] !== PTE_MIGRATION_RW && s.world.pte[2] === PTE_PRESENT_RW && (s.world.pte[1] !== PTE_MIGRATION_RW || s.world.folioLocked![1] === 1),
        ),
      ],
    });
    assert.equal(r.verdict, 'holds');
    assert.deepEqual([r.stats.states, r.stats.transitions], [3, 2]);
  });

  it('a referenced folio fails with -EAGAIN and gets its PTE back; the label says so', () => {
    const m = defineMmu({ pages: 1, unitsPerPage: 1, pte: 'PRESENT_RO', migration: true, refs: 1 });
    const a = migrationActor(m, { budget: 1 });
    const world = { ...m.fields, folioRef: { ...(m.fields.folioRef as any), init: [1] } };
    const r = check({ name: 'm', world, actors: [a], properties: [invariant<MmuWorld>('never lost', (s) => s.world.pte[0] !== 0)] });
    assert.equal(r.verdict, 'holds');
    assert.deepEqual([r.stats.states, r.stats.transitions], [3, 2]);
    const w = { vma: [2], pte: [PTE_MIGRATION_RW - 1], folioRef: [1] } as unknown as MmuWorld;
    assert.equal(
      a.label!({ context: { folio: 0 }, event: { type: 'removeMigrationPtes', choice: 0, world: w } }, undefined),
      'migrate_pages(p0): -EAGAIN (extra reference or pin), remove_migration_ptes()',
    );
    assert.equal(
      a.label!({ context: { folio: -1 }, event: { type: 'tryToMigrate', choice: 0, world: { ...w, pte: [PTE_PRESENT_RO] } as never } }, undefined),
      'migrate_pages(p0): try_to_migrate(), PTE -> migration entry',
    );
  });

  it('rejects an MMU without migration entries', () => {
    assert.throws(() => migrationActor(defineMmu({ pages: 1 }), { budget: 1 }), /needs migration: true/);
  });
});
