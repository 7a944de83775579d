/**
 * A documented default call of every model factory that takes an options object, for
 * actorFactories.test.ts: `build(options)` calls the factory with its other arguments fixed and the
 * options object given; `options` is the call the catalogue (models/README.md) or a scenario makes.
 * The test finds the factories itself (every exported function of models/ with an options parameter)
 * and fails for one this table lacks, so the table cannot fall behind.
 */
import * as models from '../../models/index.js';
import { defineBtrfsInode } from '../../models/btrfs/inode.js';
import { defineDioFile } from '../../models/fs/dio.js';
import { defineLongterm } from '../../models/gup/longterm.js';
import { definePopulateFile } from '../../models/mm/populate.js';

type Options = Readonly<Record<string, unknown>>;
export interface FactoryCall {
  /** The options of the documented default call (a copy is made per call). */
  readonly options: Options;
  /** Calls the factory with these options and its other arguments. */
  readonly build: (options: any) => unknown;
}

const m = models.defineMmu({ pages: 2, unitsPerPage: 1, staticVma: true, refs: 1 });
const filePage = models.defineMmu({
  pages: 1,
  unitsPerPage: 1,
  backing: 'file',
  pte: 'PRESENT_RW',
  staticVma: true,
  pageLock: true,
  dirty: true,
  writeback: true,
  buffers: true,
  versions: 2,
  refs: 1,
  pins: 1,
  stableWrites: true,
  migration: true,
  mte: true,
  mmapLock: { owners: 2 },
});
const to = models.defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 2 }], nofault: true, warn: false });
const kcore = models.defineKcore(models.defineIovIter(m, 'iter', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 2 }] }), { pages: 2, pageUnits: 1 });
const pc = models.definePageCache({ folios: 1, folioUnits: 1, aops: 'block', evict: { refs: 0, generations: 1 } });
const truncate = models.defineTruncate(pc, { readers: 1, writeback: true });
const vmaLockMmu = models.defineMmu({ pages: 1, unitsPerPage: 1, mmapLock: { owners: 2 } });
const vmaLock = models.defineVmaLock(vmaLockMmu, { faults: 1, writes: 1 });
const pipe = models.definePipe({ slots: 4, pageUnits: 1, mutexOwners: ['W', 'R'], writers: ['W'], maxWrite: 2 });
const pipeBuffers = models.definePipeBuffers(pipe, { filePages: 1 });
const glock = models.defineGlock({
  holders: [
    { name: 'CPU0:SH', owner: 'CPU0', state: 'SH' },
    { name: 'CPU1:EX', owner: 'CPU1', state: 'EX' },
  ],
  autoDemote: 'v6.0',
  cached: 'EX',
});
const cow = models.defineAnonCow(m, 0, { touched: false });
const ino = defineBtrfsInode({ blocks: 4, initial: 1 });
const dioFile = defineDioFile(['HOLE', 'DATA']);
const btrfsMmu = models.defineMmu({ pages: 1, unitsPerPage: 1, vma: 'RO', staticVma: true, refs: 1 });
const btrfsFrom = models.defineIovIter(btrfsMmu, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: 1 }], nofault: true, warn: false });
const search = models.defineBtrfsSearch(m, { bufSize: 2, items: [0] });
const writeFrom = models.defineIovIter(m, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: 1 }], warn: false });
const sigMmu = models.defineMmu({ pages: 1, unitsPerPage: 1, staticVma: true, backing: 'file', pageLock: true, mmapLock: { owners: 1 } });
const populate = definePopulateFile({ readFails: 'never' });
const fileMmu = models.defineMmu({ pages: 1, unitsPerPage: 1, backing: 'file', staticVma: true });
const uffdMmu = models.defineMmu({ pages: 1, unitsPerPage: 1, staticVma: true, backing: 'uffd', mmapLock: { owners: 1 } });
const lruMmu = models.defineMmu({ pages: 2, unitsPerPage: 1, staticVma: true, capacity: 1 });
const warnTo = models.defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 2 }] });
const fileFrom = models.defineIovIter(fileMmu, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: 1 }], warn: false });

const call = (options: Options, build: (o: any) => unknown): FactoryCall => ({ options, build });
/** A property constructor's call: `(…args, { name })`. */
const named = (build: (o: any) => unknown): FactoryCall => call({ name: 'p' }, build);

export const FACTORY_CALLS: Readonly<Record<string, FactoryCall>> = {
  // models/mmu, iov-iter and the world fragments
  defineMmu: call({ pages: 1 }, (o) => models.defineMmu(o)),
  mmuFields: call({ pages: 1 }, (o) => models.mmuFields(o)),
  defineIovIter: call({ type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 1 }] }, (o) => models.defineIovIter(m, 'it', o)),
  iterFields: call({ type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 1 }] }, (o) => models.iterFields('it', o)),
  defineKcore: call({ pages: 2, pageUnits: 1 }, (o) => models.defineKcore(to, o)),
  definePageCache: call({ folios: 1, folioUnits: 1, aops: 'block' }, (o) => models.definePageCache(o)),
  defineTruncate: call({ readers: 1 }, (o) => models.defineTruncate(pc, o)),
  defineVmaLock: call({ faults: 1, writes: 1 }, (o) => models.defineVmaLock(vmaLockMmu, o)),
  definePipe: call({ slots: 4, pageUnits: 1, mutexOwners: ['W'], writers: ['W'], maxWrite: 1 }, (o) => models.definePipe(o)),
  definePipeBuffers: call({ filePages: 1 }, (o) => models.definePipeBuffers(pipe, o)),
  defineGlock: call({ holders: [{ name: 'CPU0:SH', owner: 'CPU0', state: 'SH' }] }, (o) => models.defineGlock(o)),
  defineAnonCow: call({ touched: false }, (o) => models.defineAnonCow(m, 0, o)),
  defineBtrfsInode: call({ blocks: 4, initial: 1 }, (o) => defineBtrfsInode(o)),
  defineBtrfsSearch: call({ bufSize: 2, items: [0] }, (o) => models.defineBtrfsSearch(m, o)),
  defineLongterm: call({ lru: 'LRU' }, (o) => defineLongterm(o)),
  definePopulateFile: call({ readFails: 'never' }, (o) => definePopulateFile(o)),
  forkPinFields: call({ start: 'written' }, (o) => models.forkPinFields(o)),

  // actors (models/actors/, models/gfs2/): xActor and the xMachine it is built from
  archMappingQuirkActor: call({ budget: 1 }, (o) => models.archMappingQuirkActor(kcore, o)),
  archMappingQuirkMachine: call({ budget: 1 }, (o) => models.archMappingQuirkMachine(kcore, o)),
  archPageFaultActor: call({ mmu: sigMmu, kernelModeSignalFixup: 'return', addr: 0, len: 1, sigField: 'T0sig', mmapOwner: 0 }, (o) =>
    models.archPageFaultActor(o),
  ),
  archPageFaultMachine: call({ mmu: sigMmu, kernelModeSignalFixup: 'return', addr: 0, len: 1, sigField: 'T0sig', mmapOwner: 0 }, (o) =>
    models.archPageFaultMachine(o),
  ),
  bioDeviceActor: call({}, (o) => models.bioDeviceActor(o)),
  bioDeviceMachine: call({}, (o) => models.bioDeviceMachine(o)),
  btrfsDirectWriteActor: call({ retry: 'again', syncUnlock: 'inode' }, (o) => models.btrfsDirectWriteActor(btrfsMmu, ino, btrfsFrom, o)),
  btrfsDirectWriteMachine: call({ retry: 'again', syncUnlock: 'inode' }, (o) => models.btrfsDirectWriteMachine(btrfsMmu, ino, btrfsFrom, o)),
  searchIoctlActor: call({ faultInGranularity: 'page' }, (o) => models.searchIoctlActor(search, o)),
  searchIoctlMachine: call({ faultInGranularity: 'page' }, (o) => models.searchIoctlMachine(search, o)),
  bufferedWriteActor: call({ loop: 'prefault-each' }, (o) => models.bufferedWriteActor(writeFrom, pc, o)),
  bufferedWriteMachine: call({ loop: 'prefault-each' }, (o) => models.bufferedWriteMachine(writeFrom, pc, o)),
  dioReaderActor: call({ holeReturn: 'efault' }, (o) => models.dioReaderActor(m, dioFile, to, o)),
  dioReaderMachine: call({ holeReturn: 'efault' }, (o) => models.dioReaderMachine(m, dioFile, to, o)),
  dmaActor: call({ budget: 1 }, (o) => models.dmaActor(filePage, o)),
  dmaMachine: call({ budget: 1 }, (o) => models.dmaMachine(filePage, o)),
  filemapReadActor: call({ path: 'read', index: 0, invalidateLock: 'create' }, (o) => models.filemapReadActor(truncate, o)),
  filemapReadMachine: call({ path: 'read', index: 0, invalidateLock: 'create' }, (o) => models.filemapReadMachine(truncate, o)),
  folioLockHolderActor: call({ mmu: sigMmu }, (o) => models.folioLockHolderActor(o)),
  folioLockHolderMachine: call({ mmu: sigMmu }, (o) => models.folioLockHolderMachine(o)),
  forkChildActor: call({}, (o) => models.forkChildActor(o)),
  forkChildMachine: call({}, (o) => models.forkChildMachine(o)),
  forkPinForkActor: call({ seq: 'write-protect-seq' }, (o) => models.forkPinForkActor(o)),
  forkPinGupActor: call({ write: false, seqcount: true, unshare: true }, (o) => models.forkPinGupActor(o)),
  forkPinParentActor: call({}, (o) => models.forkPinParentActor(o)),
  gupLongtermActor: call({ check: 'collected' }, (o) => models.gupLongtermActor(o)),
  gupLongtermMachine: call({ check: 'collected' }, (o) => models.gupLongtermMachine(o)),
  iovIterUserActor: call({ use: 'get-pages', cow }, (o) => models.iovIterUserActor(to, o)),
  iovIterUserMachine: call({ use: 'get-pages', cow }, (o) => models.iovIterUserMachine(to, o)),
  lruIsolatorActor: call({ isolations: 1 }, (o) => models.lruIsolatorActor(o)),
  lruIsolatorMachine: call({ isolations: 1 }, (o) => models.lruIsolatorMachine(o)),
  madvisePopulateActor: call({ gup: 'get-user-pages-locked' }, (o) => models.madvisePopulateActor(populate, o)),
  madvisePopulateMachine: call({ gup: 'get-user-pages-locked' }, (o) => models.madvisePopulateMachine(populate, o)),
  migrationActor: call({ budget: 1 }, (o) => models.migrationActor(filePage, o)),
  migrationMachine: call({ budget: 1 }, (o) => models.migrationMachine(filePage, o)),
  mmapWriterActor: call({ budget: 1, mmapOwner: 1 }, (o) => models.mmapWriterActor(vmaLock, o)),
  mmapWriterMachine: call({ budget: 1, mmapOwner: 1 }, (o) => models.mmapWriterMachine(vmaLock, o)),
  mprotectActor: call({ budget: 1 }, (o) => models.mprotectActor(m, o)),
  mprotectMachine: call({ budget: 1 }, (o) => models.mprotectMachine(m, o)),
  mteRetagActor: call({ budget: 1 }, (o) => models.mteRetagActor(filePage, o)),
  mteRetagMachine: call({ budget: 1 }, (o) => models.mteRetagMachine(filePage, o)),
  munmapActor: call({ budget: 1 }, (o) => models.munmapActor(m, o)),
  munmapMachine: call({ budget: 1 }, (o) => models.munmapMachine(m, o)),
  pageCacheEvictActor: call({ budget: 1 }, (o) => models.pageCacheEvictActor(pc, o)),
  pageCacheEvictMachine: call({ budget: 1 }, (o) => models.pageCacheEvictMachine(pc, o)),
  pageCacheWritebackActor: call({}, (o) => models.pageCacheWritebackActor(truncate, o)),
  pageCacheWritebackMachine: call({}, (o) => models.pageCacheWritebackMachine(truncate, o)),
  pinnerActor: call({ pinFromRef: 'forbidden', holdsRef: false }, (o) => models.pinnerActor(filePage, o)),
  pinnerMachine: call({ pinFromRef: 'forbidden', holdsRef: false }, (o) => models.pinnerMachine(filePage, o)),
  pipeReaderActor: call({ name: 'R', pipe, mutexOwner: 1, units: 1 }, (o) => models.pipeReaderActor(o)),
  pipeReaderMachine: call({ pipe, mutexOwner: 1, units: 1 }, (o) => models.pipeReaderMachine(o)),
  pipeSyscallsActor: call({ name: 'R', pipe, buffers: pipeBuffers, calls: [{ op: 'read', units: 1 }], merge: 'flag', splice: 'stale' }, (o) =>
    models.pipeSyscallsActor(o),
  ),
  pipeSyscallsMachine: call({ pipe, buffers: pipeBuffers, calls: [{ op: 'read', units: 1 }], merge: 'flag', splice: 'stale' }, (o) =>
    models.pipeSyscallsMachine(o),
  ),
  pipeWriterActor: call({ name: 'W', pipe, mmu: m, writer: 0, mutexOwner: 0, addr: 0, len: 1, design: 'mutex-held', publish: 'afterCopy' }, (o) =>
    models.pipeWriterActor(o),
  ),
  pipeWriterMachine: call({ pipe, mmu: m, writer: 0, mutexOwner: 0, addr: 0, len: 1, design: 'mutex-held', publish: 'afterCopy' }, (o) =>
    models.pipeWriterMachine(o),
  ),
  readKcoreIterActor: call({ kcoreLoop: 'shipped' }, (o) => models.readKcoreIterActor(kcore, o)),
  readKcoreIterMachine: call({ kcoreLoop: 'shipped' }, (o) => models.readKcoreIterMachine(kcore, o)),
  reclaimActor: call({ budget: 1 }, (o) => models.reclaimActor(m, o)),
  reclaimMachine: call({ budget: 1 }, (o) => models.reclaimMachine(m, o)),
  releaseFolioActor: call({ budget: 1 }, (o) => models.releaseFolioActor(filePage, o)),
  releaseFolioMachine: call({ budget: 1 }, (o) => models.releaseFolioMachine(filePage, o)),
  signalActor: call({ field: 'T0sig', target: 'T0', signal: 'SIGKILL' }, (o) => models.signalActor(o)),
  signalMachine: call({ field: 'T0sig', target: 'T0', signal: 'SIGKILL' }, (o) => models.signalMachine(o)),
  truncateActor: call({ op: 'punch', from: 0, invalidateLock: true }, (o) => models.truncateActor(truncate, o)),
  truncateMachine: call({ op: 'punch', from: 0, invalidateLock: true }, (o) => models.truncateMachine(truncate, o)),
  uffdHandlerActor: call({ mmu: uffdMmu }, (o) => models.uffdHandlerActor(o)),
  uffdHandlerMachine: call({ mmu: uffdMmu }, (o) => models.uffdHandlerMachine(o)),
  vmaLockFaultActor: call({ mmapOwner: 0, anonVmaCheck: 'after-lock', retryDropsVmaLock: true, archEndRead: 'unless-retry' }, (o) =>
    models.vmaLockFaultActor(vmaLock, o),
  ),
  vmaLockFaultMachine: call({ mmapOwner: 0, anonVmaCheck: 'after-lock', retryDropsVmaLock: true, archEndRead: 'unless-retry' }, (o) =>
    models.vmaLockFaultMachine(vmaLock, o),
  ),
  writebackActor: call({ passes: 1 }, (o) => models.writebackActor(filePage, o)),
  writebackMachine: call({ passes: 1 }, (o) => models.writebackMachine(filePage, o)),
  glockContenderActor: call({ glock, holder: 'CPU1:EX' }, (o) => models.glockContenderActor(o)),
  glockContenderMachine: call({ glock, holder: 'CPU1:EX' }, (o) => models.glockContenderMachine(o)),
  gfs2ReadActor: call({ faults: 'disabled' }, (o) => models.gfs2ReadActor(m, to, o)),
  gfs2ReadMachine: call({ faults: 'disabled' }, (o) => models.gfs2ReadMachine(m, to, o)),
  gfs2WriteActor: call({ faults: 'enabled' }, (o) => models.gfs2WriteActor(fileMmu, fileFrom, o)),
  gfs2SyscallActor: call(
    {
      name: 'CPU0',
      machine: models.gfs2ReadMachine(m, to, { faults: 'disabled' }),
      result: 'read',
      it: to,
      site: { maxWindow: 1, faults: 'enabled', copyChoices: () => 1 },
      copyEvent: 'copyToUser',
      label: () => '',
    },
    (o) => models.gfs2SyscallActor(o),
  ),
  gfs2WriteMachine: call({ faults: 'enabled' }, (o) => models.gfs2WriteMachine(fileMmu, fileFrom, o)),

  // properties over the world fragments and the actors
  searchIoctlProgress: named((o) => models.searchIoctlProgress('CPU0', o)),
  bufferedWriteProperties: call({ actor: 'CPU0' }, (o) => models.bufferedWriteProperties(writeFrom, pc, o)),
  kcoreAccounting: named((o) => models.kcoreAccounting(kcore, 'CPU0', o)),
  kcoreNoSpuriousEfault: named((o) => models.kcoreNoSpuriousEfault(kcore, 'CPU0', o)),
  kcoreSourceMatches: named((o) => models.kcoreSourceMatches('CPU0', o)),
  killability: call({ actor: 'T0', field: 'T0sig' }, (o) => models.killability(o)),
  appendAtEof: call({ actor: 'writer' }, (o) => models.appendAtEof(ino, o)),
  inodeLockBalance: call({ actor: 'writer' }, (o) => models.inodeLockBalance(o)),
  cowIsolation: named((o) => models.cowIsolation(o)),
  zeroPageIntact: named((o) => models.zeroPageIntact(o)),
  pinCoherent: call({ holder: 'gup' }, (o) => models.pinCoherent(o)),
  dioPartialAccounting: call({ actor: 'reader' }, (o) => models.dioPartialAccounting(m, dioFile, to, o)),
  glockExclusion: named((o) => models.glockExclusion(glock, o)),
  noRecursiveGlock: named((o) => models.noRecursiveGlock(glock, o)),
  noLongtermPinInCma: call({ actor: 'pinner' }, (o) => models.noLongtermPinInCma(o)),
  anonVmaUnderMmapLock: named((o) => models.anonVmaUnderMmapLock(o)),
  vmaLockBalance: named((o) => models.vmaLockBalance(o)),
  vmaLockIsolation: named((o) => models.vmaLockIsolation(o)),
  pageCacheInitialised: named((o) => models.pageCacheInitialised(pc, o)),
  noOrphanMapping: named((o) => models.noOrphanMapping(truncate, o)),
  noStalePageCache: named((o) => models.noStalePageCache(pc, o)),
  noWritebackToFreedBlocks: named((o) => models.noWritebackToFreedBlocks(truncate, o)),
  pipeWriteAtomicity: named((o) => models.pipeWriteAtomicity(pipe, [{ actor: 'W', writer: 0, len: 1 }], o)),
  pageCacheIntact: named((o) => models.pageCacheIntact(pipeBuffers, o)),
  faultInNoOverclaim: call({ actor: 'CPU0', event: 'faultIn', size: () => 1, result: () => 0, prefix: () => 1 }, (o) => models.faultInNoOverclaim(o)),
  noSpuriousEfault: call({ actor: 'CPU0', failed: () => false, it: to }, (o) => models.noSpuriousEfault(o)),
  dirtyHasBuffers: named((o) => models.dirtyHasBuffers(filePage, o)),
  noDmaPinFalseNegative: named((o) => models.noDmaPinFalseNegative(filePage, o)),
  noPinAfterNegativeCheck: named((o) => models.noPinAfterNegativeCheck(filePage, o)),
  stablePages: named((o) => models.stablePages(filePage, o)),
  iterDirection: named((o) => models.iterDirection(warnTo, o)),
  iterProgress: call({ actor: 'CPU0' }, (o) => models.iterProgress(to, o)),
  mmapLockDiscipline: named((o) => models.mmapLockDiscipline(sigMmu, ['T0'], o)),
  residentCapacity: named((o) => models.residentCapacity(lruMmu, o)),
};
