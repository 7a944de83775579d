/**
 * Promela processes as faultline actors, transition for transition, so the unreduced state counts can be
 * compared with SPIN's (`spin -a model.pml; cc -DNOREDUCE -o pan pan.c; ./pan`).
 *
 * One row per transition of pan's own table (`./pan -d` prints it): SPIN merges a run of local statements
 * into the transition before it (statement merging, on by default), so a row is one step of the merged
 * table, named by pan's state numbers (`s46` is pan's state 46). What SPIN does besides, and how it is
 * mirrored here:
 *  - Processes are created by `run` and removed when they pass their closing brace (`-end-`), youngest
 *    first: a process at its end can die only when it is the last one alive (`_nr_pr`, here the world's
 *    `alive`), and its locals leave the state vector, so dying resets them here.
 *  - `init { atomic { ... run p() ... } }` runs without interleaving and without storing the states
 *    inside, so it is one step (`start`) that sets `alive`; a process not yet created sits in its initial
 *    state with its first step disabled until `alive` counts it.
 *  - A send to a full channel blocks (the guard), as a receive from an empty one does.
 */
import { assign, setup, type AnyStateMachine } from 'xstate';
import type { StepEvent } from '../../checker/index.js';

export type Locals = Record<string, number>;

export interface Row<W> {
  readonly from: string;
  readonly to: string;
  /** The event's name: pan's statement, shortened. Unique within the process. */
  readonly event: string;
  readonly when?: (c: Locals, w: W) => boolean;
  /** New values of locals, computed from the state before the step (runs first). */
  readonly set?: (c: Locals, w: W) => Locals;
  /** The step's effect on the world (sends and receives); must not read a local `set` changes. */
  readonly effect?: (c: Locals, w: W) => void;
}

/** What every process world has: the number of processes alive, SPIN's `_nr_pr`. */
export interface ProcessWorld {
  alive: number;
}

/**
 * An xstate machine for one proctype: `rows`, plus `-end-` from `end` to the final state `dead`, enabled
 * when the process (pid `input.pid`) is the youngest alive; dying resets every local to `resetTo`.
 */
export function proctype<W extends ProcessWorld>(
  id: string,
  initial: string,
  locals: (input: { pid: number; arg: number }) => Locals,
  rows: readonly Row<W>[],
  end: string,
  resetTo: Locals,
): AnyStateMachine {
  const states: Record<string, { on?: Record<string, unknown>; type?: 'final' }> = {};
  const state = (name: string) => (states[name] ??= { on: {} });
  state(initial);
  for (const r of rows) {
    const on = state(r.from).on!;
    if (on[r.event]) throw new Error(`${id}: two rows for event ${r.event} in ${r.from}`);
    state(r.to);
    const actions: unknown[] = [];
    if (r.set) {
      const set = r.set;
      actions.push(assign(({ context, event }: { context: Locals; event: StepEvent<string, W> }) => set(context, event.world)));
    }
    if (r.effect) {
      const effect = r.effect;
      actions.push(({ context, event }: { context: Locals; event: StepEvent<string, W> }) => effect(context, event.world));
    }
    on[r.event] = {
      target: r.to,
      ...(r.when ? { guard: ({ context, event }: { context: Locals; event: StepEvent<string, W> }) => r.when!(context, event.world) } : {}),
      actions,
    };
  }
  state(end).on!.end = {
    target: 'dead',
    guard: ({ context, event }: { context: Locals; event: StepEvent<string, W> }) => event.world.alive === context.pid! + 1,
    actions: [assign(() => resetTo), ({ event }: { event: StepEvent<string, W> }) => void (event.world.alive -= 1)],
  };
  states.dead = { type: 'final' };
  const machine = setup({ types: { context: {} as Locals, input: {} as { pid: number; arg: number } } }).createMachine({
    id,
    initial,
    context: ({ input }) => ({ pid: input.pid, ...locals(input) }),
    states: states as never,
  });
  return machine as unknown as AnyStateMachine;
}

/**
 * The channel operations a Promela model needs, over some world representation: the `chan` field type
 * (channels.ts) or hand-shifted world arrays (arrays.ts), so one model is written once for both.
 */
export interface Queues<W> {
  canSend(w: W, q: number): boolean;
  send(w: W, q: number, ...values: number[]): void;
  /** Whether channel q's head message starts with `values` (`q?[v]`); false when empty. */
  headIs(w: W, q: number, ...values: number[]): boolean;
  /** Field `field` of channel q's head message. */
  head(w: W, q: number, field?: number): number;
  receive(w: W, q: number): void;
}
