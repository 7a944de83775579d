/**
 * Replay: a strategy on the execution core (executions.ts) that sampling runs on. Its scheduler picks the
 * step the trace recorded; the engine's monitors of the claimed property (the same code that judged the
 * search) watch every state and step; at the trace's end the monitor confirms the claim (Monitor.confirm:
 * a deadlock, a bound's value, a lasso's loop are final only there). It refuses to be quietly wrong: a
 * recorded step that is not enabled is a divergence, which names the step and lists what was enabled, and
 * a trace that runs to its end without the violation says so.
 */
import { ASSERTION } from '../properties/assertion.js';
import { AssignError, GuardResultError } from '../system/assign.js';
import { XstateShadow } from '../system/shadow.js';
import { thrownMessage } from '../system/thrown.js';
import { encodeStep, stepActor, stepChoice, stepEvent, type Stepper } from '../system/step.js';
import { WorldAccessError } from '../system/views.js';
import { SystemDefinitionError, type CompiledActor, type CompiledSystem } from '../system/system.js';
import { Rng } from '../random/rng.js';
import { Executions, type ExecutionStats, type StepWitness } from './executions.js';
import type { Property } from '../properties/property.js';
import type { Scheduler } from './strategy.js';
import { assertShape, type Shape } from '../keys.js';

export type ReplayOutcome =
  | { readonly status: 'reproduced'; readonly message: string }
  | { readonly status: 'no-violation'; readonly message: string }
  | {
      readonly status: 'diverged';
      readonly step: number;
      readonly message: string;
      /** A recorded step that is not enabled: the steps that were, as `actor event(choice)`, in the fixed order. */
      readonly enabled?: readonly string[];
    }
  /** The claimed property's own code threw on the trace: a mistake in the model, not its violation. */
  | { readonly status: 'model-error'; readonly message: string };
/** What a trace claims. Open: a Violation (or a trace file's violation) is passed as it is, its trace and message with it. */
export interface ReplayClaim {
  readonly property: string;
  readonly kind: string;
}

/** Maps (actor name, event type, choice) to a step id, or a reason it cannot. */
export function resolveStep(system: CompiledSystem, actor: string, transition: string, choice: number): number | string {
  const a = system.actors.find((x) => x.name === actor);
  if (!a) return `there is no actor '${actor}' (actors: ${system.actors.map((x) => x.name).join(', ')})`;
  const e = a.machine.eventTypes.indexOf(transition);
  if (e < 0) return `actor '${actor}' has no transition '${transition}' (transitions: ${a.machine.eventTypes.join(', ')})`;
  if (!Number.isInteger(choice) || choice < 0 || choice > 0xffff) return `choice ${String(choice)} is not a whole number in 0..65535`;
  return encodeStep(a.index, e, choice);
}

export interface ReplayOptions {
  /**
   * Also re-execute every step through xstate's own `transition()` (XstateShadow) and compare the states:
   * the trace is then a run of the xstate machines themselves, not only of their compiled copy. A
   * disagreement is a divergence (the model breaks a rule the conformance test checks).
   */
  readonly xstate?: boolean;
}

const REPLAY_OPTIONS: Shape<ReplayOptions> = { xstate: 'boolean' };

/** A divergence: the step (1-based; 0 for the claim itself), what is wrong, and what was enabled instead. */
type Diverged = Extract<ReplayOutcome, { status: 'diverged' }>;

/** Picks the recorded step; one that is not enabled ends the execution as a divergence. */
class ReplayScheduler implements Scheduler {
  diverged: Diverged | undefined;
  constructor(
    private readonly system: CompiledSystem,
    private readonly steps: readonly number[],
    /** The engine's working buffer: the state the next step is taken from. */
    private readonly S: Int32Array,
  ) {}
  newExecution(): void {}
  pick(enabled: readonly number[], depth: number): number {
    if (depth >= this.steps.length) return -1;
    const i = enabled.indexOf(this.steps[depth]!);
    if (i < 0) this.diverged = notEnabled(this.system, this.steps, depth, this.S, enabled);
    return i;
  }
}

/** Step `index` (0-based) of the trace is not enabled in state S. */
function notEnabled(system: CompiledSystem, steps: readonly number[], index: number, S: Int32Array, enabled: readonly number[]): Diverged {
  const id = steps[index]!;
  const a = system.actors[stepActor(id)]!;
  return {
    status: 'diverged',
    step: index + 1,
    message: `step ${index + 1} (${stepName(system, id)}) is not enabled in state ${a.machine.states[S[a.stateSlot]!]!.name}: the trace diverges from the model`,
    enabled: enabled.map((x) => stepName(system, x)),
  };
}

/** The xstate shadow as the executions' witness: each step re-executed through xstate and compared. */
function xstateWitness(system: CompiledSystem, shadow: XstateShadow, stepIndex: () => number): StepWitness {
  const said = (id: number, what: string): string =>
    `step ${stepIndex() + 1} (${stepName(system, id)}): the compiled model and xstate's own transition() disagree: ${what}`;
  const named = (id: number): [CompiledActor, string, number] => {
    const a = system.actors[stepActor(id)]!;
    return [a, a.machine.eventTypes[stepEvent(id)]!, stepChoice(id)];
  };
  return {
    before: (id) => {
      const [a, type, choice] = named(id);
      return xstateRefuses(shadow, a, type, choice)
        ? said(id, `the step is enabled in the compiled model, xstate's machine has no transition for it`)
        : undefined;
    },
    // xstate words some failures its own way (a throwing guard is wrapped, a non-integer is simply
    // stored): what must agree is that the step fails in xstate too, not the wording. xstate's plain world
    // has no declared fields or bounds to refuse a write with, nor its plain context an assign of an
    // undeclared field or of no object: there only the engine throws.
    threw: (id, e) => {
      const [a, type, choice] = named(id);
      if (e instanceof WorldAccessError || e instanceof AssignError || e instanceof GuardResultError || shadow.failure(a, type, choice) !== undefined)
        return undefined;
      return said(id, `the compiled step throws '${thrownMessage(e)}', xstate's does not`);
    },
    after: (id, stepper: Stepper) => {
      const [a, type, choice] = named(id);
      const xstateError = shadow.step(a, type, choice);
      if (xstateError !== undefined) return said(id, `xstate's transition() throws '${xstateError}', the compiled step does not`);
      const difference = shadow.difference(stepper);
      return difference ? said(id, difference) : undefined;
    },
  };
}

/** One replayed execution: the engine and its monitors after it, and how it ended. */
export interface ReplayRun {
  readonly runner: Executions;
  readonly scheduler: { readonly diverged: Diverged | undefined };
  readonly stats: ExecutionStats;
}

/**
 * Runs `steps` on the execution core with the monitors of `properties` (and model assertions) over
 * guarded views, so a write outside an array or of a non-integer throws here as the search's probe saw
 * it; with a `shadow`, every step through xstate as well. The trace's last state is expanded too (a
 * deadlock, a run that ends, a loop that closes are judged there).
 */
export function replayRun(system: CompiledSystem, steps: readonly number[], properties: readonly Property[], shadow?: XstateShadow): ReplayRun {
  const runner = new Executions(system, { stopAtFirstViolation: false, properties, guarded: true });
  const scheduler = new ReplayScheduler(system, steps, runner.engine.S);
  const stats = runner.run({
    scheduler,
    rng: Rng.seeded(0),
    executions: 1,
    maxDepth: steps.length + 1,
    ...(shadow ? { witness: xstateWitness(system, shadow, () => runner.steps.length) } : {}),
  });
  return { runner, scheduler, stats };
}

export function replay(
  system: CompiledSystem,
  steps: readonly number[],
  loop: number | undefined,
  claim: ReplayClaim,
  options: ReplayOptions = {},
): ReplayOutcome {
  assertShape(options, REPLAY_OPTIONS, 'replay() options');
  const property = system.properties.find((p) => p.name === claim.property);
  if (!property && claim.kind !== 'assertion') {
    return {
      status: 'diverged',
      step: 0,
      message: `the model has no property '${claim.property}' (properties: ${system.properties.map((p) => p.name).join(', ')})`,
    };
  }
  if (property && property.kind !== claim.kind) {
    return { status: 'diverged', step: 0, message: `property '${claim.property}' is ${a(property.kind)} property in the model, not ${a(claim.kind)} one` };
  }
  // A lasso (a loop back) is how a progress violation is written; on any other claim it means nothing.
  if (loop !== undefined && claim.kind !== 'progress') {
    return {
      status: 'diverged',
      step: 0,
      message: `the trace has a loop, which only a progress violation's trace has, but it claims ${a(claim.kind)} violation`,
    };
  }
  if (loop !== undefined && (!Number.isInteger(loop) || loop < 0 || loop >= steps.length)) {
    return { status: 'diverged', step: 0, message: `loop index ${loop} is not a step of the trace (0..${steps.length - 1})` };
  }
  let shadow: XstateShadow | undefined;
  if (options.xstate) {
    try {
      shadow = new XstateShadow(system);
    } catch (e) {
      return { status: 'diverged', step: 0, message: `xstate: ${thrownMessage(e)}` };
    }
  }
  let run: ReplayRun;
  try {
    run = replayRun(system, steps, property ? [property] : [], shadow);
  } catch (e) {
    // A lasso's fairness is judged on actor masks (fairness.ts), which hold at most 32 actors.
    if (!(e instanceof SystemDefinitionError)) throw e;
    return { status: 'diverged', step: 0, message: e.message };
  }
  const { runner, scheduler, stats } = run;
  const engine = runner.engine;
  if (scheduler.diverged) return scheduler.diverged;
  if (stats.witnessed) return { status: 'diverged', step: stats.witnessed.index + 1, message: stats.witnessed.message };
  const threw = engine.findings.find((f) => f.modelError);
  if (threw) return { status: 'model-error', message: `property '${threw.property}' ${threw.message.replace(/^the property /, '')}` };
  const failure = stats.failure;
  if (failure) {
    // A step that fails ends the run: the trace's last step, for an assertion claim; anywhere else a divergence.
    const where = `step ${failure.index + 1} (${stepName(system, failure.step)})`;
    const message = failure.overflow !== undefined ? `${where}: ${failure.overflow}` : `${where} throws: ${thrownMessage(failure.thrown)}`;
    const reported = engine.findings.some((f) => f.property === ASSERTION);
    if (claim.kind === 'assertion' && reported && failure.index === steps.length - 1) return { status: 'reproduced', message };
    return { status: 'diverged', step: failure.index + 1, message };
  }
  // The run ended before the trace did: no step was enabled where the trace goes on.
  if (runner.steps.length < steps.length) return notEnabled(system, steps, runner.steps.length, engine.S, []);
  const found = engine.findings.find((f) => f.property === claim.property);
  const reported = found && { steps: found.at.length + (found.step === undefined ? 0 : 1), message: found.message };
  const answer = engine.confirm({
    property: claim.property,
    reported,
    steps: steps.length,
    loop,
    end: engine.after,
    enabled: engine.stepper.enabledSteps(),
    stepName: (k) => stepName(system, steps[k - 1]!),
  });
  if (!answer) throw new Error(`internal: no monitor confirms '${claim.property}' (${claim.kind})`);
  return { status: answer.reproduced ? 'reproduced' : 'no-violation', message: answer.message };
}

/** `an invariant`, `a deadlock`. */
const a = (kind: string): string => `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;

/** `actor event(choice)`, as a trace names a step. */
function stepName(system: CompiledSystem, id: number): string {
  const a = system.actors[stepActor(id)]!;
  return `${a.name} ${a.machine.eventTypes[stepEvent(id)]}(${stepChoice(id)})`;
}

/** xstate has no transition for the step (false when a guard throws: the step then throws on both sides). */
function xstateRefuses(shadow: XstateShadow, actor: CompiledActor, type: string, choice: number): boolean {
  try {
    return !shadow.hasTransition(actor, type, choice);
  } catch {
    return false;
  }
}
