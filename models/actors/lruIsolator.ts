/**
 * Someone who takes a folio off the LRU for a while and puts it back (models/gup/longterm.ts): a racing
 * __gup_longterm_locked() caller's collect_longterm_unpinnable_folios() -> folio_isolate_lru() ...
 * putback_movable_pages(), or compaction / migrate_pages() isolating the folio. 517f496e1e61's message:
 * "two __get_longterm_locked() callers can race, or __get_longterm_locked() can race with anything else
 * that temporarily isolates folios".
 *
 * A weakly fair thread: an isolated folio is eventually put back (folio_putback_lru()). It isolates at most
 * `isolations` times (each time the folio is on an LRU list), then finishes.
 */
import { assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import { folioIsolateLru, folioPutbackLru, LT_ISOLATED, LT_LRU, type LongtermWorld } from '../gup/longterm.js';

export interface LruIsolatorOptions {
  /** Column name in traces. Default 'isolator'. */
  readonly name?: string;
  /** Isolations it makes (1..3). */
  readonly isolations: number;
}

/** Every option of lruIsolatorMachine and lruIsolatorActor: a key not listed is a typo, refused rather than left at its default. */
const ISOLATOR_OPTIONS: Shape<LruIsolatorOptions> = { name: 'string', isolations: 'checked' };

export interface LruIsolatorContext {
  left: number;
}

type Event = StepEvent<'folioIsolateLru' | 'folioPutbackLru', LongtermWorld>;

export function lruIsolatorMachine(o: LruIsolatorOptions) {
  assertShape(o, ISOLATOR_OPTIONS, 'lruIsolatorMachine() options');
  if (!Number.isInteger(o.isolations) || o.isolations < 1 || o.isolations > 3) throw new RangeError(`lru isolator: isolations ${o.isolations} must be 1..3`);
  return setup({
    types: { context: {} as LruIsolatorContext, events: {} as Event },
    guards: {
      onLru: ({ event }) => event.world.ltLru === LT_LRU,
      more: ({ context }) => context.left > 0,
    },
    actions: {
      isolate: ({ event }) => void folioIsolateLru(event.world, LT_ISOLATED),
      putback: ({ event }) => folioPutbackLru(event.world),
    },
  }).createMachine({
    id: o.name ?? 'isolator',
    initial: 'idle',
    context: { left: o.isolations },
    states: {
      idle: {
        meta: { waitsFor: 'the folio on an LRU list' },
        on: {
          folioIsolateLru: {
            guard: 'onLru',
            target: 'holding',
            actions: [assign({ left: ({ context }) => context.left - 1 }), 'isolate'],
            description: 'folio_isolate_lru()',
          },
        },
      },
      holding: {
        on: {
          folioPutbackLru: [
            { guard: 'more', target: 'idle', actions: 'putback', description: 'folio_putback_lru()' },
            { target: 'done', actions: 'putback', description: 'folio_putback_lru()' },
          ],
        },
      },
      done: { type: 'final' },
    },
  });
}

export function lruIsolatorActor(o: LruIsolatorOptions): ActorSpec<LruIsolatorContext, LongtermWorld> {
  assertShape(o, ISOLATOR_OPTIONS, 'lruIsolatorActor() options');
  return {
    name: o.name ?? 'isolator',
    machine: lruIsolatorMachine(o),
    fields: { left: int(0, o.isolations, o.isolations) },
    label: ({ event }) =>
      event.type === 'folioIsolateLru'
        ? 'folio_isolate_lru(): the folio leaves the LRU (a racing longterm pin, compaction or migration)'
        : 'folio_putback_lru(): the folio is back on the LRU',
  };
}
