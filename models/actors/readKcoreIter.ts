/**
 * A /proc/kcore read of a KCORE_VMALLOC range: the per-chunk loop of fs/proc/kcore.c read_kcore_iter().
 * The range is read in chunks of `tsz` units, each inside one
 * vmalloc page (tsz = PAGE_SIZE after the first chunk); the user buffer is the iterator of the Kcore
 * descriptor (models/kcore/vmalloc.ts). Variant switch `kcoreLoop`:
 *
 * 'shipped' - v6.4 on (46c0d6d0904a / 4c91c07c93bb, Lorenzo Stoakes; unchanged in 6.13 and later):
 *     const char *src = (char *)start; size_t read = 0, left = tsz;
 *     while (true) {
 *         read += vread_iter(iter, src, left);                 // vreadIter: nofault, under the vmap spinlock
 *         if (read == tsz) break;
 *         src += read;
 *         left -= read;
 *         if (fault_in_iov_iter_writeable(iter, left)) {       // faultInIovIterWriteable
 *             ret = -EFAULT; goto out; }
 *     }
 *   The loop assumes that a short vread_iter() means "user page not faulted in". If the copy fails for a
 *   reason the fault-in cannot cure - a kernel page the nofault copy cannot read (ArchMappingQuirk:
 *   execmem ROX in 6.13) or a direction WARN - it spins forever (the 6.13 /proc/kcore hang). The accounting is modelled as
 *   written: `read` is cumulative but is added to `src` and taken from `left` on every pass, so a second
 *   partial pass in one chunk reads from the wrong offset with the wrong length;
 *   a negative `left` stands for the size_t wrap-around, which makes the next fault-in report a shortfall.
 *
 * 'bounce' - up to v6.3 (and 46c0d6d0904a's first form): vread(buf, (char *)start, tsz) into a kernel
 *   bounce page under the vmap lock (a kernel-to-kernel copy; what it cannot read it zero-fills: "we have
 *   to zero-fill user buffer even if no read"), then copy_to_user(buffer, buf, tsz) /
 *   copy_to_iter(buf, tsz, iter) != tsz -> -EFAULT, with page faults enabled. The faulting copy is modelled
 *   as its steps: `copyToIter` copies up to the first inaccessible unit; `handleMmFault` is the arch fault
 *   handler on that unit's page (do_page_fault -> handle_mm_fault); a fault it cannot resolve takes the
 *   exception fixup, the copy comes back short, and the read returns -EFAULT. No retry loop, so no
 *   non-fault failure can make it spin.
 */
import { assign, setup } from 'xstate';
import {
  assertShape,
  int,
  invariant,
  shown,
  transitionProperty,
  type ActorSpec,
  type InvariantProperty,
  type Shape,
  type StepEvent,
  type TransitionProperty,
} from '../../checker/index.js';
import { copyToIter, copyToIterResult } from '../iov-iter/copy.js';
import { faultInIovIterWriteable, faultInIovIterWriteableResult } from '../iov-iter/faultIn.js';
import { iterAddr, iterCount } from '../iov-iter/iter.js';
import { FAULT_DONE, FAULT_FLAG_DEFAULT, FAULT_FLAG_WRITE, FAULT_NAMES, VMA_RW } from '../mmu/constants.js';
import { handleMmFault, handleMmFaultOutcome } from '../mmu/fault.js';
import { pageOf } from '../mmu/world.js';
import { kcoreFirstUncopyable, vreadIter, vreadIterResult, type Kcore, type KcoreWorld } from '../kcore/vmalloc.js';
import { uaccessFailure } from './uaccessText.js';
import { NAME_OPTIONS, oneOf } from '../options.js';

export interface ReadKcoreIterOptions {
  /** Column name in traces. Default 'CPU0'. */
  readonly name?: string;
  /** 'shipped': the v6.4+ retry loop; 'bounce': the pre-6.4 bounce buffer. */
  readonly kcoreLoop: 'shipped' | 'bounce';
  /** Chunks (vmalloc pages) read; buflen = chunks * pageUnits. Default 1. */
  readonly chunks?: number;
}

/** Every option of readKcoreIterMachine and readKcoreIterActor: a key not listed is a typo, refused rather than left at its default. */
const KCORE_ITER_OPTIONS: Shape<ReadKcoreIterOptions> = { name: 'string', kcoreLoop: 'checked', chunks: 'checked' };

export interface ReadKcoreIterContext {
  /** The chunk being read (start = chunk * PAGE_SIZE). */
  chunk: number;
  /** `read`: units of this chunk delivered (cumulative, as in the kernel). */
  read: number;
  /** `src - start`: where the next vread_iter() reads, in units from the start of the chunk. */
  src: number;
  /** `left`: the length of the next vread_iter() / fault-in; negative = a size_t that wrapped. */
  left: number;
}

type KcoreEvent = StepEvent<string, KcoreWorld>;

/** The fault-in's size argument as the kernel sees it (a negative `left` wrapped: SIZE_MAX - ...). */
function sizeText(left: number): string {
  return left >= 0 ? `${left}` : `(size_t)${left}`;
}

/** The read_kcore_iter() machine (see the file comment). */
export function readKcoreIterMachine(k: Kcore, options: ReadKcoreIterOptions) {
  assertShape(options, KCORE_ITER_OPTIONS, 'readKcoreIterMachine() options');
  const it = k.it;
  const m = it.mmu;
  const tsz = k.pageUnits;
  const chunks = options.chunks ?? 1;
  if (!Number.isInteger(chunks) || chunks < 1 || chunks > k.pages)
    throw new RangeError(`readKcoreIter: chunks ${shown(chunks)} must be a whole number in 1..${k.pages} (the kcore's pages)`);
  const shipped = oneOf('readKcoreIter', 'kcoreLoop', options.kcoreLoop, ['shipped', 'bounce']) === 'shipped';
  type Args = { context: ReadKcoreIterContext; event: KcoreEvent };
  const base = (c: ReadKcoreIterContext): number => c.chunk * tsz;
  /** fault_in_iov_iter_writeable(iter, left): a wrapped size is larger than any iterator, so never 0. */
  const faultInNow = ({ context, event }: Args): number => (context.left < 0 ? 1 : faultInIovIterWriteableResult(event.world, it, context.left));
  const lastChunk = ({ context }: Args): boolean => context.chunk + 1 === chunks;
  const nextChunk = assign({ chunk: ({ context }: Args) => context.chunk + 1, read: 0, src: 0, left: tsz });
  const vreadReturns = ({ context, event }: Args): boolean => vreadIterResult(event.world, k, base(context) + context.src, context.left) === event.choice;
  const copyReturns = ({ context, event }: Args): boolean => copyToIterResult(event.world, it, context.left, 0) === event.choice;
  const shippedStates = {
    vreadIter: {
      on: {
        // event.choice is what vread_iter() returns (only that choice is enabled): the assign needs it and
        // must not read the world the effect has just written.
        vreadIter: [
          {
            guard: (a: Args) => vreadReturns(a) && a.context.read + a.event.choice === tsz && lastChunk(a),
            actions: 'vreadIter',
            target: 'done',
            description: 'read == tsz, last chunk: read_kcore_iter() returns',
          },
          {
            guard: (a: Args) => vreadReturns(a) && a.context.read + a.event.choice === tsz,
            actions: ['vreadIter', nextChunk],
            target: 'vreadIter',
            description: 'read == tsz: next chunk',
          },
          {
            guard: vreadReturns,
            target: 'faultIn',
            actions: [
              'vreadIter',
              assign({
                read: ({ context, event }: Args) => context.read + event.choice,
                src: ({ context, event }: Args) => context.src + context.read + event.choice,
                left: ({ context, event }: Args) => context.left - (context.read + event.choice),
              }),
            ],
            description: 'read < tsz: src += read, left -= read',
          },
        ],
      },
    },
    faultIn: {
      on: {
        faultInIovIterWriteable: [
          { guard: (a: Args) => faultInNow(a) !== 0, target: 'efault', actions: 'faultIn', description: 'fault_in_iov_iter_writeable() != 0: -EFAULT' },
          { target: 'vreadIter', actions: 'faultIn', description: 'fault_in_iov_iter_writeable() == 0: try again' },
        ],
      },
    },
  };
  const bounceStates = {
    vread: { on: { vread: { target: 'copyToIter', description: 'vread(buf, start, tsz) into the bounce page' } } },
    copyToIter: {
      on: {
        copyToIter: [
          {
            guard: (a: Args) => copyReturns(a) && a.event.choice === a.context.left && lastChunk(a),
            actions: 'copyToIter',
            target: 'done',
            description: 'copy_to_iter(buf, tsz, iter) == tsz, last chunk: read_kcore_iter() returns',
          },
          {
            guard: (a: Args) => copyReturns(a) && a.event.choice === a.context.left,
            actions: ['copyToIter', nextChunk],
            target: 'vread',
            description: 'copy_to_iter(buf, tsz, iter) == tsz: next chunk',
          },
          {
            guard: copyReturns,
            target: 'pageFault',
            actions: [
              'copyToIter',
              assign({
                read: ({ context, event }: Args) => context.read + event.choice,
                src: ({ context, event }: Args) => context.src + event.choice,
                left: ({ context, event }: Args) => context.left - event.choice,
              }),
            ],
            description: 'the copy faults on a user page',
          },
        ],
      },
    },
    pageFault: {
      on: {
        handleMmFault: [
          {
            guard: ({ event }: Args) =>
              handleMmFaultOutcome(event.world, m, pageOf(m, iterAddr(event.world, it)), FAULT_FLAG_DEFAULT | FAULT_FLAG_WRITE) === FAULT_DONE,
            target: 'copyToIter',
            actions: 'handleMmFault',
            description: 'handle_mm_fault() resolves it: the copy goes on',
          },
          { target: 'efault', description: 'no: exception fixup, copy_to_iter() comes back short: -EFAULT' },
        ],
      },
    },
  };
  return setup({
    types: { context: {} as ReadKcoreIterContext, events: {} as KcoreEvent },
    actions: {
      vreadIter: ({ context, event }) => {
        vreadIter(event.world, k, base(context) + context.src, context.left);
      },
      faultIn: ({ context, event }) => {
        faultInIovIterWriteable(event.world, it, context.left < 0 ? iterCount(event.world, it) : context.left);
      },
      copyToIter: ({ context, event }) => {
        copyToIter(event.world, it, context.left, 0);
      },
      handleMmFault: ({ event }) => {
        handleMmFault(event.world, m, pageOf(m, iterAddr(event.world, it)), FAULT_FLAG_DEFAULT | FAULT_FLAG_WRITE, -1);
      },
    },
  }).createMachine({
    id: options.name ?? 'read_kcore_iter',
    initial: shipped ? 'vreadIter' : 'vread',
    context: { chunk: 0, read: 0, src: 0, left: tsz },
    states: {
      // The two loop shapes have different states; xstate's config type cannot take the union.
      ...((shipped ? shippedStates : bounceStates) as any),
      done: { type: 'final' },
      efault: { type: 'final' },
    },
  });
}

/** The read_kcore_iter() actor: a thread (weakly fair). */
export function readKcoreIterActor(k: Kcore, options: ReadKcoreIterOptions): ActorSpec<ReadKcoreIterContext, KcoreWorld> {
  assertShape(options, KCORE_ITER_OPTIONS, 'readKcoreIterActor() options');
  const it = k.it;
  const m = it.mmu;
  const tsz = k.pageUnits;
  const chunks = options.chunks ?? 1;
  const base = (c: ReadKcoreIterContext): number => c.chunk * tsz;
  const at = (a: number): string => (a === 0 ? 'start' : `start+${a}`);
  return {
    name: options.name ?? 'CPU0',
    machine: readKcoreIterMachine(k, options),
    fields: { chunk: int(0, chunks - 1), read: int(0, tsz), src: int(0, 2 * tsz), left: int(-tsz, tsz) },
    choices: options.kcoreLoop === 'shipped' ? { vreadIter: tsz + 1 } : { copyToIter: tsz + 1 },
    label: ({ context: c, event }, description) => {
      const w = event.world;
      switch (event.type) {
        case 'vreadIter': {
          const r = vreadIterResult(w, k, base(c) + c.src, c.left);
          // The world is the pre-state: the iterator has not moved yet, so find the failing unit on a copy.
          const short = r < c.left ? `: ${whyAfter(w, c, r)}` : '';
          // What the user sees of the cumulative-`read` bug: kernel bytes from the wrong offset.
          const pos = (w as unknown as Record<string, number>)[it.kConsumed]!;
          const wrong = r > 0 && c.src !== c.read ? `: WRONG BYTES: buf+${pos} gets ${at(base(c) + c.src)}, not ${at(base(c) + c.read)}` : '';
          return `vread_iter(iter, ${at(base(c) + c.src)}, ${c.left}) = ${r}${wrong}${short}`;
        }
        case 'faultInIovIterWriteable': {
          if (c.left < 0) return `fault_in_iov_iter_writeable(iter, ${sizeText(c.left)}) != 0: -EFAULT`;
          const r = faultInIovIterWriteableResult(w, it, c.left);
          // fe673d3f5bf1's return value (v5.17 - v6.15) claims everything after any success.
          const honest = Math.min(c.left, iterFaultablePagePrefix(w, it));
          const overclaim = r === 0 && honest < c.left ? ` (only ${honest} faultable: fault_in_safe_writeable()'s return value)` : '';
          return `fault_in_iov_iter_writeable(iter, ${c.left}) = ${r}${r !== 0 ? ': -EFAULT' : overclaim}`;
        }
        case 'vread':
          return `vread(buf, ${at(base(c))}, ${tsz}): bounce page`;
        case 'copyToIter': {
          const r = copyToIterResult(w, it, c.left, 0);
          return `copy_to_iter(buf, ${c.left}, iter) copies ${r}${r < c.left ? `, ${whyAfter(w, c, r)}` : ''}`;
        }
        case 'handleMmFault': {
          const p = pageOf(m, iterAddr(w, it));
          return `do_page_fault(): handle_mm_fault(p${p}, WRITE) = ${FAULT_NAMES[handleMmFaultOutcome(w, m, p, FAULT_FLAG_DEFAULT | FAULT_FLAG_WRITE)]}`;
        }
        default:
          return description ?? event.type;
      }
    },
  };

  function whyAfter(w: KcoreWorld, c: ReadKcoreIterContext, r: number): string {
    const p = kcoreFirstUncopyable(w, k, base(c) + c.src + r, 1);
    if (p >= 0) return `vmalloc page ${p} has no direct map (module text: execmem ROX)`;
    // The first unit of the remaining request that the user side refuses (a nofault copy of a UBUF
    // chunk is all-or-nothing, so it can lie past the position).
    const pos = (w as unknown as Record<string, number>)[it.kConsumed]! + r;
    for (let q = pos; q < pos + c.left - r && q < it.total; q++) {
      const why = uaccessFailure(w, m, it.addrAt[q]!, 1, true, it.segBase[0]!, 'buf');
      if (why) return why;
    }
    return 'short copy';
  }
}

/** Units from the iterator's position, across segments, whose pages a write fault could map (VMA permits writes). */
function iterFaultablePagePrefix(w: KcoreWorld, it: Kcore['it']): number {
  const consumed = (w as unknown as Record<string, number>)[it.kConsumed]!;
  let n = 0;
  for (let q = consumed; q < it.total; q++, n++) if (w.vma[pageOf(it.mmu, it.addrAt[q]!)] !== VMA_RW) break;
  return n;
}

/** The user pages the iterator covers can all be written (no munmap / mprotect took them). */
export function kcoreBufferValid(w: KcoreWorld, k: Kcore): boolean {
  const it = k.it;
  for (let s = 0; s < it.nrSegs; s++) {
    for (let u = it.segBase[s]!; u < it.segBase[s]! + it.segLen[s]!; u++) if (w.vma[pageOf(it.mmu, u)] !== VMA_RW) return false;
  }
  return true;
}

/**
 * No spurious -EFAULT: the read does not return -EFAULT while the user buffer is valid (only
 * transient eviction happened).
 */
export function kcoreNoSpuriousEfault(k: Kcore, actor: string, options: { readonly name?: string } = {}): InvariantProperty<KcoreWorld> {
  assertShape(options, NAME_OPTIONS, 'kcoreNoSpuriousEfault() options');
  return invariant<KcoreWorld>(options.name ?? 'no spurious -EFAULT', (s) => s.actor(actor).state !== 'efault' || !kcoreBufferValid(s.world, k), {
    description: `${actor}: read_kcore_iter() returns -EFAULT only when the user buffer is invalid`,
    explain: () => `${actor} returned -EFAULT although every page of the user buffer is mapped writable`,
  });
}

/**
 * The loop's own bookkeeping (what `kcore content` rests on): while a chunk is being read, the
 * next read starts where the delivered bytes end and asks for the rest - `src == start + read` and
 * `left == tsz - read`. The shipped loop adds the cumulative `read` to `src` (and takes it from `left`) on
 * every pass, which breaks this on the second short pass of a chunk that already delivered something.
 */
export function kcoreAccounting(k: Kcore, actor: string, options: { readonly name?: string } = {}): InvariantProperty<KcoreWorld> {
  assertShape(options, NAME_OPTIONS, 'kcoreAccounting() options');
  const tsz = k.pageUnits;
  return invariant<KcoreWorld>(
    options.name ?? 'kcore accounting',
    (s) => {
      const a = s.actor(actor);
      return a.final || (a.context.src === a.context.read && a.context.left === tsz - a.context.read);
    },
    {
      description: `${actor}: src == start + read and left == tsz - read between passes (read_kcore_iter() bookkeeping)`,
      explain: (s) => {
        const c = s.actor(actor).context;
        return `after read = ${c.read}: src = start+${c.src}, left = ${sizeText(c.left)} (should be start+${c.read}, ${tsz - c.read})`;
      },
    },
  );
}

/**
 * Kcore content, the precondition of "every delivered byte is the kernel byte at its offset": every vread_iter() that delivers data reads the kernel
 * bytes that belong at the iterator's position - the source offset equals what the chunk has delivered
 * (`src - start == read`). The shipped loop's cumulative accounting breaks it on a second partial pass.
 */
export function kcoreSourceMatches(actor: string, options: { readonly name?: string } = {}): TransitionProperty<KcoreWorld> {
  assertShape(options, NAME_OPTIONS, 'kcoreSourceMatches() options');
  return transitionProperty<KcoreWorld>(
    options.name ?? 'kcore content',
    (b, _a, step) => {
      if (step.actor !== actor || step.event !== 'vreadIter' || step.choice === 0) return true;
      const c = b.actor(actor).context;
      return c.src === c.read;
    },
    {
      description: `${actor}: each vread_iter() copies the kernel bytes at start + read to the iterator`,
      explain: (b) => {
        const c = b.actor(actor).context;
        return `vread_iter() read from start+${c.src} what belongs at start+${c.read}`;
      },
    },
  );
}
