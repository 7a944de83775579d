/**
 * How a system declares its actors. The behaviour lives in an ordinary xstate v5 machine; this spec adds
 * what a model checker needs and xstate does not say: the domain of every context field, whether the actor
 * is a scheduled thread or an environment that acts only finitely often, and how many choices a step has.
 */
import type { AnyStateMachine } from 'xstate';
import type { ScalarField } from './fields.js';

/**
 * Weak: if the actor is continuously enabled it eventually steps (default for threads).
 * Strong: if it is enabled infinitely often it eventually steps. None: no guarantee (environments).
 */
export type Fairness = 'weak' | 'strong' | 'none';

/**
 * `thread`: the syscall, the fault handler, writeback - scheduled, weakly fair by default, and counted for
 * deadlock while not final. `environment`: reclaim, migration, munmap, signal, DMA - acts only within its
 * budget, never fair, never counted as blocked.
 */
export type ActorKind = 'thread' | 'environment';

/**
 * The event every step of an actor receives. `world` is the shared world (an object of numbers and
 * Int32Arrays under the engine, plain numbers and arrays under xstate's own interpreter); `choice` says
 * which of the step's outcomes this is (0 when the step has one outcome).
 */
export interface StepEvent<T extends string = string, W = unknown> {
  readonly type: T;
  readonly choice: number;
  readonly world: W;
}

/** What a guard, a choices function or a label function sees. */
export interface StepArgs<C = Record<string, number>, W = unknown> {
  readonly context: C;
  readonly event: StepEvent<string, W>;
}

/** The number of outcomes of a step: a constant or a function of the pre-state. */
export type ChoiceCount<C = any, W = any> = number | ((args: StepArgs<C, W>) => number);

export interface ActorSpec<C = any, W = any> {
  /** Column header in traces: `CPU0`, `reclaim`. Unique within a system. */
  readonly name: string;
  readonly machine: AnyStateMachine;
  /** Passed to the machine's `context` factory, as `createActor(machine, { input })` would. */
  readonly input?: unknown;
  /** Default `thread`. */
  readonly kind?: ActorKind;
  /** Default `weak` for threads and `none` for environments. */
  readonly fairness?: Fairness;
  /** Environment actors: how many steps (cost units) it may take in one run. Required for environments. */
  readonly budget?: number;
  /** The domain of every field of the machine's context; the keys must match the context's keys. */
  readonly fields: Readonly<Record<string, ScalarField>>;
  /** Steps with several outcomes: event type -> number of choices (each is a separate enabled step; 0: the step is not enabled). */
  readonly choices?: Readonly<Record<string, ChoiceCount<C, W>>>;
  /** Environment actors: budget units an event costs (default 1; 0 for a step that is free). */
  readonly cost?: Readonly<Record<string, number>>;
  /**
   * The label a trace prints for a step, e.g. `fault_in_writeable(p0..p2)`. Sees the pre-state. Default:
   * the taken transition's `description`, else the event type with the choice in parentheses.
   */
  readonly label?: (args: StepArgs<C, W>, transitionDescription: string | undefined) => string;
}

/** Identity function that gives a spec its types; the checker needs no more than the object. */
export function defineActor<C, W>(spec: ActorSpec<C, W>): ActorSpec<C, W> {
  return spec;
}
