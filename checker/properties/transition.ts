/**
 * Transition property: a predicate on every step (s, s'), including steps into states already seen - e.g.
 * "the fault-in window never grows after a no-progress round". The counterexample ends with the bad step.
 */
import { propertyThrew, truth, type Confirmation, type ConfirmRequest, type Monitor, type MonitorContext, type MonitorFactory } from './monitor.js';
import { checkPropertyArgs, type SlotStateView, type StateView, type StepInfo, type TransitionProperty } from './property.js';
import type { Shape } from '../keys.js';

const TRANSITION_OPTIONS: Shape<Pick<TransitionProperty, 'description' | 'explain'>> = { description: 'string', explain: 'function' };
const NON_INCREASING_OPTIONS = { description: 'string', unless: 'function' } as const;

export function transitionProperty<W = any>(
  name: string,
  holds: (before: StateView<W>, after: StateView<W>, step: StepInfo) => boolean,
  options: { description?: string; explain?: (before: StateView<W>, after: StateView<W>, step: StepInfo) => string } = {},
): TransitionProperty<W> {
  checkPropertyArgs('transitionProperty', name, options, TRANSITION_OPTIONS);
  return { kind: 'transition', name, holds, ...options };
}

/**
 * A monotone quantity: `value` never increases across a step unless the step `resets` it (for example
 * progress was made). Built on transitionProperty.
 */
export function nonIncreasing<W = any>(
  name: string,
  value: (s: StateView<W>) => number,
  options: { description?: string; unless?: (before: StateView<W>, after: StateView<W>, step: StepInfo) => boolean } = {},
): TransitionProperty<W> {
  checkPropertyArgs('nonIncreasing', name, options, NON_INCREASING_OPTIONS);
  const unless = options.unless;
  return {
    kind: 'transition',
    name,
    ...(options.description === undefined ? {} : { description: options.description }),
    holds: (b, a, step) => value(a) <= value(b) || (unless !== undefined && unless(b, a, step)),
    explain: (b, a) => `it grew from ${value(b)} to ${value(a)}`,
  };
}

/** What a violated transition property says about a step: its own explain, or its description. */
export function transitionMessage(p: TransitionProperty, before: StateView, after: StateView, info: StepInfo): string {
  return p.explain ? p.explain(before, after, info) : (p.description ?? p.name);
}

/** Checks every transition property on every step the engine takes, into new states and known ones alike. */
export class TransitionMonitor implements Monitor {
  // invariant: done[i] is 1 once transitions[i] was reported.
  private readonly done: Uint8Array;
  constructor(
    private readonly transitions: readonly TransitionProperty[],
    private readonly ctx: MonitorContext,
  ) {
    this.done = new Uint8Array(transitions.length);
  }
  step(before: SlotStateView, after: SlotStateView, info: StepInfo): void {
    const { transitions, done, ctx } = this;
    for (let i = 0; i < transitions.length; i++) {
      if (done[i]) continue;
      const p = transitions[i]!;
      try {
        const ok = truth(p.holds(before, after, info), 'holds');
        before.readOnly();
        after.readOnly();
        if (!ok) {
          done[i] = 1;
          ctx.report({ property: p.name, kind: 'transition', message: transitionMessage(p, before, after, info), atStep: true });
        }
      } catch (e) {
        done[i] = 1;
        ctx.report(propertyThrew(p, e, true));
      }
    }
  }
  /** A replayed trace reproduces the violation when one of its steps breaks the property. */
  confirm(r: ConfirmRequest): Confirmation | undefined {
    if (!this.transitions.some((p) => p.name === r.property)) return undefined;
    const at = r.reported?.steps;
    return at !== undefined
      ? { reproduced: true, message: `step ${at} (${r.stepName(at)}) violates '${r.property}'` }
      : { reproduced: false, message: `after ${r.steps} steps the last step no longer violates '${r.property}'` };
  }
}

export const transitionMonitor: MonitorFactory<unknown> = (_system, properties, ctx) => {
  const transitions = properties.filter((p): p is TransitionProperty => p.kind === 'transition');
  return transitions.length ? new TransitionMonitor(transitions, ctx) : null;
};
