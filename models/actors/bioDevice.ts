/**
 * The device of a bio built from get_user_pages() pages (the device D of the iov_iter direction scenario): once the bio is
 * submitted it DMAs the data into the pages it was given and completes the bio (bio_endio()). The pages
 * are whatever GUP returned - on a COW-shared anonymous page without FOLL_WRITE that is the folio the fork
 * child still maps (models/cow/anonCow.ts). A thread (weakly fair): the device does complete the I/O.
 */
import { setup } from 'xstate';
import { assertShape, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import { BIO_FOLIO_NAMES, BIO_SUBMITTED, bioDmaWrite, type CowWorld } from '../cow/anonCow.js';

export interface BioDeviceOptions {
  /** Column name in traces. Default 'device'. */
  readonly name?: string;
}

/** Every option of bioDeviceMachine and bioDeviceActor: a key not listed is a typo, refused rather than left at its default. */
const BIO_DEVICE_OPTIONS: Shape<BioDeviceOptions> = { name: 'string' };

/** The machine: idle until the bio is submitted, then one `dmaWrite` completes it. */
export function bioDeviceMachine(options: BioDeviceOptions = {}) {
  assertShape(options, BIO_DEVICE_OPTIONS, 'bioDeviceMachine() options');
  return setup({
    types: { context: {} as Record<string, never>, events: {} as StepEvent<'dmaWrite', CowWorld> },
    guards: { submitted: ({ event }) => event.world.bio === BIO_SUBMITTED },
    actions: { dmaWrite: ({ event }) => bioDmaWrite(event.world) },
  }).createMachine({
    id: options.name ?? 'device',
    initial: 'idle',
    context: {},
    states: {
      idle: { on: { dmaWrite: { guard: 'submitted', target: 'completed', actions: 'dmaWrite', description: 'DMA into the bio pages, bio_endio()' } } },
      completed: { type: 'final' },
    },
  });
}

/** The device actor. */
export function bioDeviceActor(options: BioDeviceOptions = {}): ActorSpec<Record<string, never>, CowWorld> {
  assertShape(options, BIO_DEVICE_OPTIONS, 'bioDeviceActor() options');
  return {
    name: options.name ?? 'device',
    machine: bioDeviceMachine(options),
    fields: {},
    label: ({ event }) => {
      const w = event.world;
      const f = BIO_FOLIO_NAMES[w.bioFolio]!;
      return `DMA into folio ${f}${f === 'A' && w.childMapsA === 1 ? ' (the child maps it)' : ''}, bio_endio()`;
    },
  };
}
