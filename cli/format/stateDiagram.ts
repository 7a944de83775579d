/**
 * An actor's xstate machine as a Mermaid `stateDiagram-v2`, generated from the compiled machine (states,
 * final states, events, targets) with guard names read from the raw xstate machine
 * (`machine.root.states[k].transitions`), whose order the compiled machine keeps state for state, event
 * for event, transition for transition. A targetless transition is drawn as a self-loop; a final state
 * gets `--> [*]`; a state's string `meta.waitsFor` becomes a note.
 *
 * Transitions that share source and target are drawn as one edge with one label line each: Mermaid's
 * layout keeps a single edge per pair of states, so three self-loops written as three edges render as one.
 * A state whose name is not a plain identifier, or is one of Mermaid's state-diagram keywords (`default`,
 * `click`, `accTitle`, ...; the lexer ignores case), gets a positional id `sN` and its name as the label.
 * test/cli/mermaid.test.ts runs these diagrams through Mermaid's own parser.
 */
import type { AnyStateMachine } from 'xstate';
import { combinatorKind, mermaidText, type CompiledSystem } from '../../checker/index.js';

type CompiledActor = CompiledSystem['actors'][number];

const PLAIN_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Text in a state diagram: as in sequence diagrams, plus `:` (a note's text ends its statement at one)
 * and `--` (read as an arrow), both as entity codes. Checked against Mermaid 11's parser.
 */
export function stateText(s: string): string {
  return mermaidText(s).replace(/:/g, '#58;').replace(/--/g, '-#45;');
}
/**
 * Words Mermaid's state-diagram lexer reads as keywords, in lower case (it ignores case). Mermaid 11's
 * parser rejects a state named `state`, `note`, `classDef`, `class`, `style`, `default`, `click`, `scale`,
 * `accTitle`, `accDescr`, `stateDiagram` or `href`; the rest are kept out in case a version reads them too.
 */
const RESERVED = new Set(
  'end state note direction classdef class style as left right of over default click scale acctitle accdescr statediagram hide href call callback link fork join choice concurrent'.split(
    ' ',
  ),
);

/** A state name usable as a Mermaid id as it is. */
function plainId(name: string): boolean {
  return PLAIN_ID.test(name) && !RESERVED.has(name.toLowerCase());
}

/** A readable name for an xstate guard: its name, a combinator of names, or `inline` for an anonymous function. */
export function guardName(g: unknown): string {
  if (typeof g === 'string') return g;
  if (typeof g === 'function') {
    const f = g as { check?: unknown; guards?: unknown[]; name?: string };
    if (f.check !== undefined && Array.isArray(f.guards)) {
      const parts = f.guards.map(guardName);
      // Told apart by what the combinator does, not by its Function.name (bundlers rename it).
      const kind = combinatorKind(f.check) ?? '?';
      if (kind === 'not') return `not ${parts[0] ?? '?'}`;
      return parts.length === 1 ? parts[0]! : `(${parts.join(` ${kind} `)})`;
    }
    // An inline guard written as `guard: ({ context }) => ...` is named after the key: say inline instead.
    return f.name && f.name !== 'guard' ? f.name : 'inline';
  }
  if (g !== null && typeof g === 'object' && 'type' in g) return String((g as { type: unknown }).type);
  return '?';
}

interface RawTransition {
  readonly guard?: unknown;
}

/** Guard names per [state][event type][transition index], from the raw machine. */
function rawGuards(machine: AnyStateMachine): Map<string, Map<string, (string | undefined)[]>> {
  const out = new Map<string, Map<string, (string | undefined)[]>>();
  const root = machine.root as unknown as { states: Record<string, { key: string; transitions: Map<string, RawTransition[]> }> };
  for (const node of Object.values(root.states ?? {})) {
    const perEvent = new Map<string, (string | undefined)[]>();
    for (const [type, defs] of node.transitions ?? new Map())
      perEvent.set(
        type,
        // An anonymous guard has no name worth printing: the edge shows only its event.
        defs.map((d) => (d.guard === undefined || guardName(d.guard) === 'inline' ? undefined : guardName(d.guard))),
      );
    out.set(node.key, perEvent);
  }
  return out;
}

export function machineStateDiagram(actor: CompiledActor): string {
  const m = actor.machine;
  const guards = rawGuards(actor.spec.machine);
  const ids = m.states.map((s, i) => (plainId(s.name) ? s.name : `s${i}`));
  const out = ['stateDiagram-v2'];
  m.states.forEach((s, i) => {
    if (ids[i] !== s.name) out.push(`  state "${stateText(s.name).replace(/"/g, '#quot;')}" as ${ids[i]}`);
  });
  out.push(`  [*] --> ${ids[m.initialState]}`);
  m.states.forEach((s, i) => {
    // Target -> label lines, in the order the targets first appear.
    const edges = new Map<number, string[]>();
    for (const e of s.events) {
      e.transitions.forEach((t, k) => {
        const g = guards.get(s.name)?.get(e.type)?.[k];
        const target = t.target < 0 ? i : t.target;
        const labels = edges.get(target) ?? [];
        labels.push(stateText(g ? `${e.type} [${g}]` : e.type));
        edges.set(target, labels);
      });
    }
    for (const [target, labels] of edges) out.push(`  ${ids[i]} --> ${ids[target]} : ${labels.join('<br/>')}`);
    if (s.final) out.push(`  ${ids[i]} --> [*]`);
  });
  m.states.forEach((s, i) => {
    if (typeof s.waitsFor === 'string') out.push(`  note right of ${ids[i]} : waits for ${stateText(s.waitsFor)}`);
  });
  return out.join('\n');
}
