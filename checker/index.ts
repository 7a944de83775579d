/**
 * faultline's engine, domain-free: define a system of xstate actors over a world of small integers, check
 * it, get the result as data. Nothing here knows about pages or kernels.
 */
export { defineActor } from './system/actor.js';
export type { ActorKind, ActorSpec, ChoiceCount, Fairness, StepArgs, StepEvent } from './system/actor.js';
export { array, bool, chan, enumOf, int } from './system/fields.js';
export type { Channel } from './system/channel.js';
export type { ArrayField, ChanField, FieldSpec, FieldSpecs, ScalarField } from './system/fields.js';
export { compileSystem, defineSystem, SystemDefinitionError } from './system/system.js';
/** Which of xstate's guard combinators a guard's `check` is (by behaviour, never by `Function.name`). */
export { combinatorKind } from './system/compile.js';
export type { CompiledSystem, SystemSpec } from './system/system.js';
/** The generated expand function of a compiled system as readable source (`faultline show --code`). */
export { expandSource } from './system/codegen.js';
/** The environment variable that dumps every generated function into a directory, and its failure. */
export { CodeDumpError, DUMP_CODE_ENV } from './system/generatedCode.js';
export { invariant } from './properties/invariant.js';
export { nonIncreasing, transitionProperty } from './properties/transition.js';
export { deadlockFreedom } from './properties/deadlock.js';
export type { BlockedActor } from './properties/deadlock.js';
export { bound } from './properties/bound.js';
export { progress, terminates } from './properties/progress.js';
export type { ProgressProperty } from './properties/progress.js';
export type {
  ActorView,
  BoundProperty,
  DeadlockProperty,
  InvariantProperty,
  Property,
  PropertyKind,
  StateView,
  StepInfo,
  TransitionProperty,
} from './properties/property.js';
export { check, CHECK_OPTIONS, DEFAULT_MAX_STATES, MAX_PCT_DEPTH, MAX_SAMPLING_DEPTH, resolveCheckOptions } from './check.js';
/** The keys of the objects the API takes: an unknown one refused, named with the keys there are and the closest (keys.ts). */
export { assertShape, shapeProblem, shown } from './keys.js';
export type { KeyType, Shape } from './keys.js';
export type { CheckOptions, ResolvedCheckOptions } from './check.js';
/** `workers` > 1: how each worker thread builds the system (the module it imports). */
export type { SystemSource } from './search/parallel/protocol.js';
export { MAX_WORKERS } from './search/parallel/plan.js';
/** A worker thread could not build the system (or failed): the run cannot give an answer. */
export { WorkerError } from './search/parallel/coordinator.js';
export type {
  BoundReport,
  CheckResult,
  HoldsResult,
  Inconclusive,
  InconclusiveResult,
  ModelError,
  ModelErrorKind,
  ModelErrorResult,
  PropertyOutcome,
  Stats,
  Verdict,
  ViolatedResult,
  Violation,
} from './result.js';
export { strategyNames, isStrategyName } from './search/registry.js';
export type { StrategyName } from './search/registry.js';
export type { StopReason } from './search/explore.js';
export type { FieldChange, Trace, TraceStep } from './trace/trace.js';
// What the CLI needs beyond checking: a counterexample rendered, written to a trace file and replayed.
/** A trace as numbered steps in per-actor columns (the commit-message form). */
export { formatModelErrorTrace, formatTraceText } from './trace/traceText.js';
/** A trace as a Mermaid sequence diagram, and text made safe inside any Mermaid diagram. */
export { formatTraceMermaid, mermaidText } from './trace/traceMermaid.js';
/** The trace of a sequence of step ids, rebuilt by re-executing them. */
export { buildTrace, LabelThrew } from './trace/trace.js';
/** The trace file (`faultline/trace@1`): written from a finding, parsed and checked before a replay. */
export { modelErrorAsViolation, parseTraceFile, toTraceFile, TraceFileError } from './trace/traceJson.js';
export type { TraceFile } from './trace/traceJson.js';
/** Replay of a saved counterexample: a recorded step resolved to its id, the steps re-executed, the violation or model error confirmed. */
export { replay, resolveStep } from './search/replay.js';
export { replayModelError } from './search/replayModelError.js';
/** `--store bitstate`: the default bits and hashes, and the range each may take. */
export { BITSTATE_BITS, BITSTATE_HASHES, DEFAULT_BITSTATE } from './store/bitstateStore.js';
/** How a counterexample is chosen among all that show a violation (trace/clearest.ts). */
export { TRACE_ORDERS } from './trace/clearest.js';
export type { TraceOrder } from './trace/clearest.js';
/** Reductions of the exhaustive search (`--reduce`), and what a result says about the one it used. */
export { REDUCTIONS } from './reduce/reduction.js';
export type { Reduction, ReductionReport } from './reduce/reduction.js';
