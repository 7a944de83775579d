/**
 * What an invariant without `explain` says when it fails: the parts of the state its predicate read,
 * with their values ("'x small' does not hold: x = 3", "mutual exclusion does not hold: P0 in critical,
 * P1 in critical"), not only its own name. The predicate is run once more on the bad state through
 * views that record what it reads; the search itself never pays for this.
 */
import type { CompiledSystem } from '../system/system.js';
import type { ActorView, InvariantProperty, StateView } from './property.js';

/** At most this many readings in one message; more are summarised as "and N more". */
const MAX_READINGS = 8;

export function describeFailure(system: CompiledSystem, p: InvariantProperty, s: StateView): string {
  const readings = readingsOf(system, s, p.holds);
  const what = p.description ?? `'${p.name}'`;
  if (readings.length === 0) return `${what} does not hold (its predicate read nothing of the state)`;
  const shown = readings.slice(0, MAX_READINGS);
  const more = readings.length > MAX_READINGS ? `, and ${readings.length - MAX_READINGS} more` : '';
  return `${what} does not hold: ${shown.join(', ')}${more}`;
}

/** Runs `holds` on recording views of `s`; returns what it read, in world-then-actor declaration order. */
function readingsOf(system: CompiledSystem, s: StateView, holds: (s: StateView) => boolean): string[] {
  const worldRead = new Set<string>();
  const actorRead = s.actors.map(() => ({ state: false, budget: false, context: new Set<string>() }));
  const fields = system.spec.world;
  const world = new Proxy(s.world as object, {
    get(target, key) {
      if (typeof key === 'string' && Object.hasOwn(fields, key)) worldRead.add(key);
      return Reflect.get(target, key, target);
    },
  });
  const actors = s.actors.map((a, i) => recordingActor(a, actorRead[i]!));
  const byName = new Map(actors.map((a, i) => [s.actors[i]!.name, a]));
  const view: StateView = {
    world,
    actors,
    actor: (name) => {
      const a = byName.get(name);
      // The real view says which actors there are.
      return a ?? s.actor(name);
    },
  };
  try {
    holds(view);
  } catch {
    // It threw this time (it did not when it failed): report what it read up to the throw.
  }
  const out: string[] = [];
  for (const [name, f] of Object.entries(fields)) {
    if (!worldRead.has(name)) continue;
    const v = (s.world as Record<string, unknown>)[name];
    out.push(f.kind === 'array' ? `${name} = [${Array.from(v as ArrayLike<number>).join(', ')}]` : `${name} = ${String(v)}`);
  }
  for (const [i, a] of s.actors.entries()) {
    const r = actorRead[i]!;
    if (r.state) out.push(`${a.name} in ${a.state}${a.final ? ' (final)' : ''}`);
    for (const k of system.actors[i]!.machine.fieldNames) if (r.context.has(k)) out.push(`${a.name}.${k} = ${String(a.context[k])}`);
    if (r.budget) out.push(`${a.name}'s budget = ${a.budget}`);
  }
  return out;
}

function recordingActor(a: ActorView, read: { state: boolean; budget: boolean; context: Set<string> }): ActorView {
  const context = new Proxy(a.context as object, {
    get(target, key) {
      if (typeof key === 'string') read.context.add(key);
      return Reflect.get(target, key, target);
    },
  }) as Record<string, number>;
  return {
    name: a.name,
    index: a.index,
    get state() {
      read.state = true;
      return a.state;
    },
    get final() {
      read.state = true;
      return a.final;
    },
    get budget() {
      read.budget = true;
      return a.budget;
    },
    context,
  };
}
