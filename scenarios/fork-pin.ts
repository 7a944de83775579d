/**
 * fork-pin: fork() against a FOLL_PIN of the parent's anonymous page (models/cow/forkPin.ts). A pin must
 * stay on the folio the parent maps; COW after fork() must not move the parent away from it.
 *
 * - no-write-protect-seq (v5.11 - v5.12): copy_present_pte() copies maybe-pinned pages for the child
 *   (70e806e4e645), but GUP-fast pins without mmap_lock: it pins after fork()'s check and re-checks the PTE
 *   before fork() write-protects it; A ends up pinned and shared, and the parent's next store copies it away.
 *   Fixed by 57efa1fe5957 "mm/gup: prevent gup_fast from racing with COW during fork" (v5.13): fork() bumps
 *   mm->write_protect_seq and GUP-fast's read_seqcount_retry() drops such a pin (write-protect-seq).
 * - ro-pin-no-unshare (before v5.19): a R/O FOLL_PIN of a page fork() already shared pins A itself; the
 *   parent's store copies. Fixed by a7f226604170 "mm/gup: trigger FAULT_FLAG_UNSHARE when R/O-pinning a
 *   possibly shared anonymous page" with PageAnonExclusive (6c287605fd56), v5.19 (ro-pin-unshare).
 * - The shared zero page (the parent only read its buffer): fork() copies its read-only PTE and nothing
 *   else (vm_normal_page() is NULL: never anon, never exclusive); GUP-fast refuses it (pte_special()).
 *   zero-page-longterm-ro-pin (v5.19 - v6.1): a R/O FOLL_LONGTERM pin (vfio, RDMA) pins the zero page
 *   itself - gup_must_unshare() answered false for any page that is not anonymous - and the parent's first
 *   store moves it to a fresh page. Fixed by 84209e87c696 "mm/gup: reliable R/O long-term pinning in COW
 *   mappings" with 8d6a0ac09a16 (FAULT_FLAG_UNSHARE on anything in a COW mapping), v6.2
 *   (zero-page-longterm-unshare). zero-page-write-pin: a FOLL_WRITE pin write-faults a fresh page first.
 */
import type { SystemSpec } from '../checker/index.js';
import { forkPinForkActor, forkPinGupActor, forkPinParentActor } from '../models/actors/forkPin.js';
import { forkPinFields, pinCoherent } from '../models/cow/forkPin.js';
import { defineScenario } from './scenario.js';

export type ForkPinVariant =
  | 'no-write-protect-seq'
  | 'write-protect-seq'
  | 'ro-pin-no-unshare'
  | 'ro-pin-unshare'
  | 'zero-page-longterm-ro-pin'
  | 'zero-page-longterm-unshare'
  | 'zero-page-write-pin';

interface Form {
  readonly seq: boolean;
  readonly write: boolean;
  readonly unshare: boolean;
  readonly zero?: boolean;
  readonly longterm?: boolean;
  readonly cowUnshare?: boolean;
}

const FORMS: Record<ForkPinVariant, Form> = {
  'no-write-protect-seq': { seq: false, write: true, unshare: false },
  'write-protect-seq': { seq: true, write: true, unshare: false },
  'ro-pin-no-unshare': { seq: true, write: false, unshare: false },
  'ro-pin-unshare': { seq: true, write: false, unshare: true },
  'zero-page-longterm-ro-pin': { seq: true, write: false, unshare: true, zero: true, longterm: true },
  'zero-page-longterm-unshare': { seq: true, write: false, unshare: true, zero: true, longterm: true, cowUnshare: true },
  'zero-page-write-pin': { seq: true, write: true, unshare: true, zero: true },
};

export function buildForkPin(variant: ForkPinVariant): SystemSpec {
  const f = FORMS[variant];
  return {
    name: `fork-pin-${variant}`,
    world: forkPinFields({ start: f.zero ? 'zero-page' : 'written' }),
    actors: [
      forkPinForkActor({ seq: f.seq ? 'write-protect-seq' : 'none' }),
      forkPinGupActor({ write: f.write, seqcount: f.seq, unshare: f.unshare, longterm: Boolean(f.longterm), cowUnshare: Boolean(f.cowUnshare) }),
      forkPinParentActor(),
    ],
    properties: [pinCoherent({ holder: 'gup' })],
  };
}

export const forkPin = defineScenario({
  id: 'fork-pin',
  title: 'fork() vs FOLL_PIN of an anonymous page: GUP-fast and write_protect_seq, R/O pins and FAULT_FLAG_UNSHARE',
  source:
    'mm/memory.c copy_present_pte(), do_wp_page(); mm/gup.c gup_fast(): 70e806e4e645 (v5.11), 57efa1fe5957 (v5.13), ' + '6c287605fd56 + a7f226604170 (v5.19)',
  description: [
    "Three tasks: the parent's fork(), a pin_user_pages_fast() of the parent's page (folio A, written before, exclusive) and one " +
      'parent store into it. Property: once the pin is taken, it holds the folio the parent maps.',
    "no-write-protect-seq (v5.11 - v5.12): fork()'s maybe-pinned test passes, GUP-fast pins A and re-checks the still-writable " +
      "PTE, fork() shares A read-only with the child; the parent's store copies A away: the pin is on the child's page. " +
      'write-protect-seq (v5.13+, 57efa1fe5957): GUP-fast sees write_protect_seq move, unpins, and the slow path waits for ' +
      'mmap_lock. Holds.',
    'ro-pin-no-unshare (v5.13 - v5.18): a R/O pin after fork() pins the shared A; the store copies. ro-pin-unshare (v5.19+, ' +
      'a7f226604170): GUP-fast refuses a not-exclusive page, the slow path takes a FAULT_FLAG_UNSHARE fault (the parent gets an ' +
      'exclusive copy, PTE still read-only) and pins that; the store reuses it. Holds.',
    'The zero-page variants start from a buffer the parent only read: its PTE maps the shared zero page read-only. fork() copies that PTE ' +
      'and nothing else (vm_normal_page() is NULL: no anon rmap, never PageAnonExclusive, never copied for DMA), and GUP-fast refuses the ' +
      'special PTE. zero-page-longterm-ro-pin (v5.19 - v6.1): a R/O FOLL_LONGTERM pin (vfio, RDMA registration) pins the zero page itself, since ' +
      "gup_must_unshare() was false for every page that is not anonymous; the parent's first store moves it to a fresh page: the pin no " +
      'longer sees the buffer. zero-page-longterm-unshare (v6.2+, 84209e87c696 + 8d6a0ac09a16): the pin unshares first (FAULT_FLAG_UNSHARE ' +
      'on the zero page: wp_page_copy() maps a fresh exclusive page, still read-only), fork() then copies that pinned exclusive page for the ' +
      'child, and the store reuses it. Holds. A short-term R/O pin still gets the zero page by design ("snapshot semantics", 84209e87c696), so ' +
      'the property is not stated for one. zero-page-write-pin: a FOLL_WRITE pin write-faults a fresh page before it pins. Holds.',
  ].join('\n\n'),
  params: {},
  variants: {
    'no-write-protect-seq': {
      description: "GUP-fast pins between fork()'s pinned test and its write-protect: the store then copies the pinned page away",
      expected: { verdict: 'violated', property: 'pin coherence' },
      provenance: { kind: 'shipped', versions: 'v5.11 - v5.12', commits: ['70e806e4e645', '57efa1fe5957'] },
    },
    'write-protect-seq': {
      description: 'fork() bumps write_protect_seq; GUP-fast unpins and falls back to the slow path',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v5.13+', commits: ['57efa1fe5957'] },
    },
    'ro-pin-no-unshare': {
      description: "a R/O pin of the page fork() shared pins A; the parent's store copies it away",
      expected: { verdict: 'violated', property: 'pin coherence' },
      provenance: { kind: 'shipped', versions: 'v5.13 - v5.18', commits: ['57efa1fe5957', 'a7f226604170'] },
    },
    'ro-pin-unshare': {
      description: 'v5.19: a R/O pin of a not-exclusive anonymous page unshares it first (FAULT_FLAG_UNSHARE)',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v5.19+', commits: ['6c287605fd56', 'a7f226604170'] },
    },
    'zero-page-longterm-ro-pin': {
      description: "a R/O FOLL_LONGTERM pin of a buffer the parent only read pins the shared zero page; the parent's first store moves to a fresh page",
      expected: { verdict: 'violated', property: 'pin coherence' },
      provenance: { kind: 'shipped', versions: 'v5.19 - v6.1 (and before: no R/O pin unshared anything)', commits: ['a7f226604170', '84209e87c696'] },
    },
    'zero-page-longterm-unshare': {
      description: 'v6.2: a R/O FOLL_LONGTERM pin unshares the zero page first (FAULT_FLAG_UNSHARE in a COW mapping) and pins the fresh exclusive page',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v6.2+', commits: ['84209e87c696', '8d6a0ac09a16'] },
    },
    'zero-page-write-pin': {
      description: 'a FOLL_WRITE pin of the zero-page buffer: the write fault maps a fresh exclusive page, which fork() then copies for the child',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v5.13+ (write_protect_seq; the write fault on the zero page always copied)', commits: ['57efa1fe5957'] },
    },
  },
  defaultVariant: 'no-write-protect-seq',
  build: (_p, v) => buildForkPin(v),
});
