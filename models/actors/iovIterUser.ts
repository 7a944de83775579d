/**
 * A kernel path that builds an iov_iter over a user buffer it is going to FILL, and uses it (T0 of the
 * iov_iter direction scenario). The direction it passes to iov_iter_init() is the iterator's static `dir`
 * (models/iov-iter/iter.ts): ITER_DEST (== READ, "data destination") is right; ITER_SOURCE (== WRITE, "as
 * for write(2)") is the misannotation Al Viro's work.iov_iter (v6.2) fixed in eight drivers - "Folks keep
 * going 'oh, we are going to copy data into that iterator, must be WRITE'. Wrong" - the iterDir variant
 * switch. Two uses (option `use`):
 *
 * 'get-pages' - hand the pages to a device, in a process that has forked (single-threaded: the fork
 *   returns before the I/O starts):
 *     fork();                                                          // fork: the buffer page is COW-shared
 *     iov_iter_init(&iter, dir, &iov, 1, len);                        // iovIterInit
 *     n = iov_iter_get_pages2(&iter, pages, len, ...);                // iovIterGetPages: FOLL_WRITE iff
 *     submit_bio(...);  ... the device DMAs into pages ...             //   iov_iter_rw(i) != WRITE (v6.0)
 *     wait for completion; put_page() each page                        // bioRelease
 *   With ITER_SOURCE the GUP has no FOLL_WRITE: on a page fork() left COW-shared it takes the shared page
 *   without breaking COW, and the device writes into the child's memory (COW isolation; CVE-2020-29374 has the same
 *   shape). a41dad905e5a ("iov_iter: saner checks for attempt to copy to/from iterator") checks the copy
 *   primitives only, not get_pages, so this is unchanged after v6.2 (models/cow/anonCow.ts).
 *
 * 'copy-retry' - copy with page faults disabled and fault in on a short copy (the loop shape of gfs2,
 *   btrfs and read_kcore_iter(), after a41dad905e5a):
 *     iov_iter_init(&iter, dir, &iov, 1, len);                        // iovIterInit
 *     while (iov_iter_count(&iter)) {
 *         pagefault_disable(); copied = copy_to_iter(kbuf, n, &iter); pagefault_enable();   // copyToIter
 *         if (copied < n && fault_in_iov_iter_writeable(&iter, n - copied)) return -EFAULT; // faultInIovIterWriteable
 *     }
 *   From v6.2 _copy_to_iter() on an ITER_SOURCE iterator is WARN_ON_ONCE and returns 0; the fault-in
 *   looks at the user pages only (no direction check) and succeeds, so the loop spins.
 */
import { setup } from 'xstate';
import { assertShape, terminates, type ActorSpec, type ProgressProperty, type Shape, type StepEvent } from '../../checker/index.js';
import {
  BIO_COMPLETED,
  BIO_FOLIO_NAMES,
  anonUntouched,
  bioSubmit,
  doAnonymousPage,
  cowNeedsWriteFault,
  cowShared,
  doWpPage,
  forkCopyPresentPte,
  type AnonCow,
  type CowWorld,
} from '../cow/anonCow.js';
import { copyToIter, copyToIterResult } from '../iov-iter/copy.js';
import { faultInIovIterWriteable, faultInIovIterWriteableResult } from '../iov-iter/faultIn.js';
import { ITER_DEST, iterCount, type IovIter } from '../iov-iter/iter.js';
import { iovIterGetPages, iovIterGetPagesResult, iovIterReleasePages, iterGupFlags } from '../iov-iter/pages.js';
import { BLOCKED, FOLL_GET, FOLL_WRITE } from '../mmu/constants.js';
import type { MmuWorld } from '../mmu/world.js';
import { oneOf } from '../options.js';

export interface IovIterUserOptions {
  /** Column name in traces. Default 'CPU0'. */
  readonly name?: string;
  readonly use: 'get-pages' | 'copy-retry';
  /** The COW fragment of the buffer's page (required for 'get-pages'). */
  readonly cow?: AnonCow;
}

/** Every option of iovIterUserMachine and iovIterUserActor: a key not listed is a typo, refused rather than left at its default. */
const ITER_USER_OPTIONS: Shape<IovIterUserOptions> = { name: 'string', use: 'checked', cow: 'object' };

type UserEvent = StepEvent<string, CowWorld>;

/** The machine (see the file comment). */
export function iovIterUserMachine(it: IovIter, options: IovIterUserOptions) {
  assertShape(options, ITER_USER_OPTIONS, 'iovIterUserMachine() options');
  const cow = options.cow;
  oneOf('iov_iter user', 'use', options.use, ['get-pages', 'copy-retry']);
  if (options.use === 'get-pages' && !cow) throw new RangeError("iov_iter user: 'get-pages' needs the COW fragment (options.cow)");
  type Args = { context: Record<string, never>; event: UserEvent };
  const writes = (w: MmuWorld): boolean => (iterGupFlags(w, it, false) & FOLL_WRITE) !== 0;
  const getPagesStates = {
    fork: { on: { fork: { target: 'init', actions: 'fork', description: 'fork(): copy_present_pte()' } } },
    getPages: {
      on: {
        iovIterGetPages: {
          // The write fault of a FOLL_WRITE GUP on the COW PTE runs before the pages are taken.
          guard: ({ event }: Args) => iovIterGetPagesResult(event.world, it, it.total) !== BLOCKED,
          target: 'waitBio',
          actions: 'getPages',
          description: 'iov_iter_get_pages2(), submit the bio',
        },
      },
    },
    waitBio: {
      meta: { waitsFor: 'bio completion' },
      on: {
        bioRelease: {
          guard: ({ event }: Args) => event.world.bio === BIO_COMPLETED,
          target: 'done',
          actions: 'releasePages',
          description: 'bio completed: put_page()',
        },
      },
    },
  };
  const copyRetryStates = {
    copy: {
      on: {
        copyToIter: [
          {
            guard: ({ event }: Args) => copyToIterResult(event.world, it, iterCount(event.world, it), 0) === iterCount(event.world, it),
            target: 'done',
            actions: 'copyToIter',
            description: 'all copied',
          },
          { target: 'faultIn', actions: 'copyToIter', description: 'short copy' },
        ],
      },
    },
    faultIn: {
      on: {
        faultInIovIterWriteable: [
          {
            guard: ({ event }: Args) => faultInIovIterWriteableResult(event.world, it, iterCount(event.world, it)) === 0,
            target: 'copy',
            actions: 'faultIn',
            description: 'faulted in: try again',
          },
          {
            guard: ({ event }: Args) => faultInIovIterWriteableResult(event.world, it, iterCount(event.world, it)) > 0,
            target: 'efault',
            actions: 'faultIn',
            description: '-EFAULT',
          },
        ],
      },
    },
  };
  return setup({
    types: { context: {} as Record<string, never>, events: {} as UserEvent },
    actions: {
      fork: ({ event }) => {
        if (cow) forkCopyPresentPte(event.world, cow);
      },
      getPages: ({ event }) => {
        const w = event.world;
        if (cow && anonUntouched(w)) doAnonymousPage(w, cow, writes(w));
        else if (cow && writes(w) && cowNeedsWriteFault(w, cow)) doWpPage(w, cow);
        iovIterGetPages(w, it, it.total);
        bioSubmit(w);
      },
      releasePages: ({ event }) => iovIterReleasePages(event.world, it, 0, it.total, FOLL_GET),
      copyToIter: ({ event }) => {
        copyToIter(event.world, it, iterCount(event.world, it), 0);
      },
      faultIn: ({ event }) => {
        faultInIovIterWriteable(event.world, it, iterCount(event.world, it));
      },
    },
  }).createMachine({
    id: options.name ?? 'iov_iter_user',
    // A never-touched buffer needs no fork: its page is not mapped at all.
    initial: options.use === 'get-pages' && cow?.touched !== false ? 'fork' : 'init',
    context: {},
    states: {
      init: { on: { iovIterInit: { target: options.use === 'get-pages' ? 'getPages' : 'copy', description: 'iov_iter_init()' } } },
      // The two uses have different states; xstate's config type cannot take the union.
      ...((options.use === 'get-pages' ? getPagesStates : copyRetryStates) as any),
      done: { type: 'final' },
      efault: { type: 'final' },
    },
  });
}

/** The actor: a thread (weakly fair). */
export function iovIterUserActor(it: IovIter, options: IovIterUserOptions): ActorSpec<Record<string, never>, CowWorld> {
  assertShape(options, ITER_USER_OPTIONS, 'iovIterUserActor() options');
  const cow = options.cow;
  const dirText = it.dataSource === ITER_DEST ? 'ITER_DEST /* READ */' : 'ITER_SOURCE /* WRITE */';
  return {
    name: options.name ?? 'CPU0',
    machine: iovIterUserMachine(it, options),
    fields: {},
    label: ({ event }, description) => {
      const w = event.world;
      switch (event.type) {
        case 'fork':
          return `fork(): copy_present_pte() write-protects p${cow?.page ?? 0}, the child maps folio A`;
        case 'iovIterInit':
          return `iov_iter_init(&iter, ${dirText}, buf, ${it.total})`;
        case 'iovIterGetPages': {
          const write = (iterGupFlags(w, it, false) & FOLL_WRITE) !== 0;
          const flags = write ? 'FOLL_GET|FOLL_WRITE' : 'FOLL_GET';
          if (!cow) return `iov_iter_get_pages2(&iter) [${flags}]`;
          if (anonUntouched(w)) {
            const fault = write
              ? 'write fault, do_anonymous_page(): a private zeroed page'
              : 'read fault, do_anonymous_page(): the shared zero page, PTE read-only';
            return `iov_iter_get_pages2(&iter) [${flags}]: ${fault}; submit_bio()`;
          }
          if (write && cowNeedsWriteFault(w, cow)) {
            return `iov_iter_get_pages2(&iter) [${flags}]: write fault, ${cowShared(w) ? 'wp_page_copy(): private copy' : 'reuse'}; submit_bio()`;
          }
          return `iov_iter_get_pages2(&iter) [${flags}]: folio ${BIO_FOLIO_NAMES[w.parentFolio + 1]}${cowShared(w) ? ' (COW-shared with the child, PTE read-only)' : ''}; submit_bio()`;
        }
        case 'bioRelease':
          return 'bio completed: put_page()';
        case 'copyToIter': {
          const n = iterCount(w, it);
          if (it.dataSource !== ITER_DEST) return `copy_to_iter(kbuf, ${n}, &iter) = 0: WARN_ON_ONCE(i->data_source)`;
          return `copy_to_iter(kbuf, ${n}, &iter) = ${copyToIterResult(w, it, n, 0)} (pagefault_disable())`;
        }
        case 'faultInIovIterWriteable': {
          const n = iterCount(w, it);
          const r = faultInIovIterWriteableResult(w, it, n);
          return `fault_in_iov_iter_writeable(&iter, ${n}) = ${r}${r > 0 ? ': -EFAULT' : ''}`;
        }
        default:
          return description ?? event.type;
      }
    },
  };
}

/** The path returns (its syscall or request completes): no fair cycle while it is in flight. */
export function iovIterUserReturns(actor: string): ProgressProperty {
  return terminates(actor, { name: `${actor} returns`, description: `${actor}: the kernel path using the iterator returns` });
}
