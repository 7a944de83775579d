import { stepActor, stepEvent } from './step.js';
import type { CompiledSystem } from './system.js';
import { WorldAccessError } from './views.js';

/**
 * What a guard, action, choices function or property threw, as one line for a report. A deliberate model
 * assertion (`throw new Error('...')`) is its message alone; a TypeError or ReferenceError is almost
 * always a bug in the model's own code (a mistyped world field, a missing actor), so its name stays in
 * front, and the reader does not take it for a kernel property the model asserts.
 */
export function thrownMessage(e: unknown): string {
  // `throw undefined` says nothing: say what was thrown, so the line does not read as a missing message.
  if (e === undefined || e === null) return `threw ${String(e)} (throw an Error with a message to say what failed)`;
  if (!(e instanceof Error)) return String(e);
  return e instanceof TypeError || e instanceof ReferenceError ? `${e.name}: ${e.message}` : e.message;
}

/**
 * "W0: message" for a step that threw; a read or write outside the declared world also names the event
 * ("W0, event add: world.nx is not a declared world field (declared: x, level)").
 */
export function assertionMessage(system: CompiledSystem, stepId: number, e: unknown): string {
  const actor = system.actors[stepActor(stepId)]!;
  const where = e instanceof WorldAccessError ? `${actor.name}, event ${actor.machine.eventTypes[stepEvent(stepId)]!}` : actor.name;
  return `${where}: ${thrownMessage(e)}`;
}
