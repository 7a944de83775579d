/**
 * fault-in-partial: a read() whose buffer is accessible only in part must return
 * the accessible prefix, not -EFAULT (Linus, 24 Jul 2021: "If the *first* page is writable, you should
 * still return the partial read, not -EFAULT"). The all-or-nothing fault-in of the gfs2 v4 RFC turns a
 * partly faultable buffer into -EFAULT; the v5.16 fault_in_*() return "bytes not faulted in" and the
 * caller retries when anything was faulted in.
 */
import { invariant, terminates, type SystemSpec } from '../checker/index.js';
import { gfs2ReadActor } from '../models/gfs2/read.js';
import { munmapActor } from '../models/actors/munmap.js';
import { reclaimActor } from '../models/actors/reclaim.js';
import { defineIovIter, defineMmu, iterFaultablePrefix, noSpuriousEfault, type VmaName } from '../models/index.js';
import { defineScenario } from './scenario.js';

export type FaultInPartialVariant = 'all-or-nothing' | 'bytes-not-faulted';
type Params = 'pages' | 'units' | 'reclaim' | 'munmap';

export function buildFaultInPartial(p: Readonly<Record<Params, number>>, variant: FaultInPartialVariant): SystemSpec {
  const vma: VmaName[] = Array.from({ length: p.pages }, (_, i) => (i === p.pages - 1 ? 'NONE' : 'RW'));
  const m = defineMmu({ pages: p.pages, unitsPerPage: p.units, vma, staticVma: p.munmap === 0 });
  const to = defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: p.pages * p.units }], warn: false });
  const reader =
    variant === 'all-or-nothing'
      ? gfs2ReadActor(m, to, { faults: 'disabled', window: 'whole', faultInContract: 'allOrNothing' })
      : gfs2ReadActor(m, to, { faults: 'disabled', window: 'shrinking', faultInContract: 'bytesNotFaulted' });
  const actors: SystemSpec['actors'][number][] = [reader];
  if (p.reclaim > 0) actors.push(reclaimActor(m, { budget: p.reclaim }));
  if (p.munmap > 0) actors.push(munmapActor(m, { budget: p.munmap, pages: vma.flatMap((v, i) => (v === 'RW' ? [i] : [])) }));
  const returned = (s: Parameters<Parameters<typeof invariant>[1]>[0]): boolean => s.actor('CPU0').final && s.actor('CPU0').state === 'done';
  return {
    name: `fault-in-partial:${variant}`,
    world: { ...m.fields, ...to.fields },
    actors,
    properties: [
      noSpuriousEfault({ actor: 'CPU0', failed: (s) => s.actor('CPU0').state === 'efault', it: to }),
      invariant('maximal partial result', (s) => !returned(s) || iterFaultablePrefix(s.world, to) === 0, {
        description: 'a read that returns a count stops only where the buffer stops being accessible (or at its end)',
        explain: (s) => `CPU0 returned ${s.actor('CPU0').context.read} although ${iterFaultablePrefix(s.world, to)} more units could be faulted in`,
      }),
      terminates('CPU0', { name: 'the read returns' }),
    ],
  };
}

export const faultInPartial = defineScenario({
  id: 'fault-in-partial',
  title: 'an all-or-nothing fault-in turns a partly accessible read buffer into -EFAULT',
  source:
    'Linus, Al Viro, Andreas Gruenbacher, Jul 2021 (<CAHk-=whodi=ZPhoJy_a47VD+-aFtz385B4_GHvQp8Bp9NdTKUg@mail.gmail.com>); ' +
    'bb523b406c84, a6294593e8a1, cdd591fc86e3 (v5.16: fault_in_*() return bytes not faulted in)',
  description:
    'CPU0 runs the gfs2 buffered read loop into a buffer of `pages` pages (`units` units each) of which the last is not mapped ' +
    '(PROT_NONE / no VMA) and the others are writable but not yet faulted in; the file holds as much as the buffer. Reclaim may evict ' +
    "the buffer's pages `reclaim` times (that changes what is resident, not what is accessible), and another thread may munmap() " +
    'buffer pages `munmap` times (the accessible prefix only shrinks, so the maximal partial result judged on the final state is judged against the ' +
    'prefix that stayed accessible throughout the call).\n' +
    'all-or-nothing (the gfs2 v4 RFC of Jul 2021): after a short nofault copy, fault in the whole remaining buffer and retry only if ' +
    'all of it faulted in; otherwise return `read ? read : -EFAULT`. Two steps: the copy fails at page 0, the fault-in faults page 0 ' +
    'in but fails at the unmapped page, and read() returns -EFAULT although page 0 was accessible.\n' +
    'bytes-not-faulted (v5.16 API, gfs2 as now): window_size -= fault_in_iov_iter_writeable(to, window_size) and retry while anything ' +
    'was faulted in; read() returns exactly the accessible prefix. Holds for every reclaim and munmap budget up to 2 (pages up to 3, ' +
    'units per page up to 2, inexact copies), with weak fairness for CPU0 and reclaim and munmap acting finitely often.',
  params: {
    pages: { description: 'buffer pages; the last one is unmapped', default: 2, min: 2, max: 8 },
    units: { description: 'units (MTE granules) per page; above 1 the copies are inexact', default: 1, min: 1, max: 4 },
    reclaim: { description: 'reclaim budget (evictions of buffer pages)', default: 0, min: 0, max: 4 },
    munmap: { description: 'munmap budget: another thread unmaps buffer pages (the accessible prefix only shrinks)', default: 0, min: 0, max: 4 },
  },
  variants: {
    'all-or-nothing': {
      description: 'fault in the whole remaining buffer, retry only if all of it faulted in (gfs2 v4 RFC): -EFAULT after a partial success',
      expected: { verdict: 'violated', property: 'no spurious -EFAULT' },
      provenance: {
        kind: 'proposal',
        thread:
          'Andreas Gruenbacher, "[PATCH v4 0/8] gfs2: Fix mmap + page fault deadlocks" (linux-fsdevel, Jul 2021), the unmerged RFC; Linus\'s reply <CAHk-=whodi=ZPhoJy_a47VD+-aFtz385B4_GHvQp8Bp9NdTKUg@mail.gmail.com>',
      },
    },
    'bytes-not-faulted': {
      description:
        'fault_in_*() return bytes not faulted in, retry while anything was (v5.16): returns the accessible prefix; holds for reclaim budgets up to 2',
      expected: { verdict: 'holds' },
      provenance: {
        kind: 'shipped',
        versions: 'v5.16+ (the shrinking window as since v5.18)',
        commits: ['bb523b406c84', 'a6294593e8a1', 'cdd591fc86e3', '00bfe02f4796', 'bb7f5d96aaa8'],
      },
    },
  },
  defaultVariant: 'all-or-nothing',
  build: (p, v) => buildFaultInPartial(p, v),
});
