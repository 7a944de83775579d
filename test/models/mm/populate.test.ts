/**
 * The MADV_POPULATE fragment (models/mm/populate.ts) against a reference written from filemap_fault()'s
 * `page_not_uptodate:` path (mm/filemap.c): on every sequence of faults, with or without FAULT_FLAG_TRIED,
 * the outcome, the folio's uptodate bit and the PTE.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  definePopulateFile,
  filemapFault,
  filemapFaultOutcome,
  POP_FAULT_DONE,
  POP_FAULT_RETRY,
  POP_FAULT_SIGBUS,
  type PopulateWorld,
} from '../../../models/mm/populate.js';
import { plainWorld } from '../../checker/conformance.js';

describe('models/mm/populate.ts', () => {
  it('filemap_fault() follows the reference for every read-failure mode and sequence of TRIED flags', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('never', 'once', 'always') as fc.Arbitrary<'never' | 'once' | 'always'>,
        fc.array(fc.boolean(), { maxLength: 8 }),
        (mode, seq) => {
          const f = definePopulateFile({ readFails: mode });
          const w = plainWorld(f.fields) as unknown as PopulateWorld;
          let reads = 0;
          let uptodate = false;
          let mapped = false;
          for (const tried of seq) {
            // The reference: an uptodate folio maps; otherwise one read (failing per the mode), then RETRY on a
            // first try (the lock was dropped for the I/O), else map on success or SIGBUS on failure.
            let want: number;
            if (uptodate) want = POP_FAULT_DONE;
            else {
              const ok = mode === 'never' || (mode === 'once' && reads >= 1);
              reads++;
              if (ok) uptodate = true;
              want = !tried ? POP_FAULT_RETRY : ok ? POP_FAULT_DONE : POP_FAULT_SIGBUS;
            }
            if (want === POP_FAULT_DONE) mapped = true;
            assert.equal(filemapFaultOutcome(w, f, tried), want);
            assert.equal(filemapFault(w, f, tried), want);
            assert.equal(w.popUptodate === 1, uptodate);
            assert.equal(w.popPte === 1, mapped);
          }
        },
      ),
    );
  });
});
