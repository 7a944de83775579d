/**
 * The `Signal` environment agent of the fatal-signal-in-a-kernel-mode-fault protocol: another task sends a signal to a
 * task that is inside a system call, once per unit of budget. Mirrors kill(2) -> send_signal_locked() ->
 * complete_signal(): the signal is queued on the target (`sigpending`) and signal_wake_up() wakes it from
 * an interruptible sleep, and from a TASK_KILLABLE sleep when the signal is fatal (SIGKILL sets
 * SIGNAL_GROUP_EXIT, so fatal_signal_pending() becomes true). In the model the wake-up needs no step of
 * its own: a sleeping actor's wake guard reads `sigpending`.
 *
 * World fragment: one field per target task, SIGPENDING_NAMES (none / SIGUSR1 / SIGKILL). A signal stays
 * pending until the task returns to user mode (exit_to_user_mode() delivers it, or the task dies of
 * SIGKILL): the model never clears it, because every actor here ends at that return.
 *
 * The predicates the kernel uses (include/linux/sched/signal.h) are `signalPending` (signal_pending()) and
 * `fatalSignalPending` (fatal_signal_pending()); `faultSignalPending` is fault_signal_pending() (4ef873226ceb,
 * v5.7), the arch fault handler's test after handle_mm_fault().
 *
 * Also here: `killability`, the progress property "after SIGKILL is posted
 * the task returns to user mode".
 */
import { setup } from 'xstate';
import {
  assertShape,
  enumOf,
  progress,
  type ActorSpec,
  type ProgressProperty,
  type ScalarField,
  type Shape,
  type StateView,
  type StepEvent,
} from '../../checker/index.js';
import { oneOf } from '../options.js';

/** No signal pending. */
export const SIG_NONE = 0;
/** A non-fatal signal (SIGUSR1 with a handler): signal_pending() but not fatal_signal_pending(). */
export const SIG_NONFATAL = 1;
/** SIGKILL: fatal_signal_pending(). */
export const SIG_FATAL = 2;
export const SIGPENDING_NAMES = ['none', 'SIGUSR1', 'SIGKILL'] as const;
export type SignalName = 'SIGUSR1' | 'SIGKILL';

/** The world field of one task's pending signal (name it after the task, e.g. `T0sig`). */
export function sigpendingField(init: number = SIG_NONE): ScalarField {
  return enumOf(SIGPENDING_NAMES, init);
}

/** A world that holds pending-signal fields, by name. */
export type SignalWorld = Record<string, number>;

/** signal_pending(): any signal pending. */
export function signalPending(sig: number): boolean {
  return sig !== SIG_NONE;
}

/** fatal_signal_pending(): SIGKILL pending. */
export function fatalSignalPending(sig: number): boolean {
  return sig === SIG_FATAL;
}

/**
 * fault_signal_pending(fault, regs): `(fault & VM_FAULT_RETRY) && (fatal_signal_pending(current) ||
 * (user_mode(regs) && signal_pending(current)))`. In kernel mode only a fatal signal counts, which is why a
 * kernel-mode fault with a non-fatal signal pending retries.
 */
export function faultSignalPending(retry: boolean, sig: number, userMode: boolean): boolean {
  return retry && (fatalSignalPending(sig) || (userMode && signalPending(sig)));
}

export interface SignalOptions {
  /** The world field of the target task's pending signal (`sigpendingField`). */
  readonly field: string;
  /** The target task, for the trace label (`kill(T0, SIGKILL)`). */
  readonly target: string;
  /** What is sent. */
  readonly signal: SignalName;
}

/** Every option of signalMachine and signalActor: a key not listed is a typo, refused rather than left at its default. */
const SIGNAL_OPTIONS: Shape<SignalOptions & { readonly name?: string; readonly budget?: number }> = {
  name: 'string',
  budget: 'number',
  field: 'string',
  target: 'string',
  signal: 'checked',
};

type SignalEvent = StepEvent<'sendSignal', SignalWorld>;

/** The signal sender: one step, `sendSignal`, enabled while the target does not yet have this signal (or a stronger one) pending. */
export function signalMachine(o: SignalOptions) {
  assertShape(o, SIGNAL_OPTIONS, 'signalMachine() options');
  oneOf('signal', 'signal', o.signal, ['SIGUSR1', 'SIGKILL']);
  const sig = o.signal === 'SIGKILL' ? SIG_FATAL : SIG_NONFATAL;
  const field = o.field;
  return setup({
    types: { context: {} as Record<string, never>, events: {} as SignalEvent },
    guards: {
      notYetPending: ({ event }) => event.world[field]! < sig,
    },
    actions: {
      completeSignal: ({ event }) => {
        event.world[field] = sig;
      },
    },
  }).createMachine({
    id: `signal-${o.signal}`,
    initial: 'idle',
    context: {},
    states: {
      idle: {
        on: {
          sendSignal: {
            guard: 'notYetPending',
            actions: 'completeSignal',
            description: `kill(${o.target}, ${o.signal}): complete_signal(), signal_wake_up()`,
          },
        },
      },
    },
  });
}

/**
 * The signal sender as an environment actor with a budget (how many signals it may send; one is enough
 * for every scenario here, a second of the same kind is never enabled).
 */
export function signalActor(o: SignalOptions & { readonly name?: string; readonly budget?: number }): ActorSpec {
  assertShape(o, SIGNAL_OPTIONS, 'signalActor() options');
  return {
    name: o.name ?? 'signal',
    kind: 'environment',
    budget: o.budget ?? 1,
    machine: signalMachine(o),
    fields: {},
  };
}

/** The options of killability. */
const KILLABILITY_OPTIONS: Shape<Parameters<typeof killability>[0]> = { actor: 'string', field: 'string', name: 'string' };

/**
 * Killability: once SIGKILL is pending for `actor`, the actor reaches a final
 * state (returns to user mode, where the signal kills it). A progress property: a violation is a fair
 * cycle with SIGKILL pending and the actor still in the kernel. It asks nothing of the other actors, so a
 * lock holder with no fairness may keep its lock forever.
 */
export function killability(options: { readonly actor: string; readonly field: string; readonly name?: string }): ProgressProperty {
  assertShape(options, KILLABILITY_OPTIONS, 'killability() options');
  const { actor, field } = options;
  return progress(options.name ?? 'killability', {
    description: `after SIGKILL is posted to ${actor}, ${actor} returns to user mode (and dies) without anyone releasing what it waits for`,
    inFlight: (s: StateView) => (s.world[field] as number) === SIG_FATAL && !s.actor(actor).final,
    progress: (_b: StateView, a: StateView) => a.actor(actor).final,
  });
}
