/**
 * The Markdown form of a counterexample: a Mermaid `sequenceDiagram` (it renders on GitHub, in CI job
 * summaries and in most Markdown viewers). One participant per actor that steps, in system order; each
 * step is a self-message on its actor's lifeline labelled `k. label`, followed by a note with the fields
 * it changed; a lasso's cycle sits in a `loop` box. Text is escaped for Mermaid (see `mermaidText`), and
 * participants get positional ids (`a0`, `a1` ...) aliased to the actor names, so no actor name can break
 * the diagram's syntax. A counterexample with no steps (the initial state itself violates) is one note
 * that says so and lists that state.
 */
import { assertShape, type Shape } from '../keys.js';
import { localFieldName, type Trace } from './trace.js';

export interface TraceMermaidOptions {
  /** Participant order: the system's actors. Actors that never step are left out. */
  readonly actors: readonly string[];
}

const TRACE_MERMAID_OPTIONS: Shape<TraceMermaidOptions> = { actors: 'array' };

/**
 * Text that is safe on one Mermaid line: `#` and `;` become entity codes (Mermaid reads `;` as the end of
 * a statement and `#...;` as an entity), `<`/`>` likewise so no HTML is injected, and line breaks become
 * spaces. Mermaid renders `#35;` as `#`.
 */
export function mermaidText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[#;<>]/g, (c) => ENTITY[c]!);
}

const ENTITY: Readonly<Record<string, string>> = { '#': '#35;', ';': '#59;', '<': '#lt;', '>': '#gt;' };

/** `field: from → to` for a changed field, named locally to its actor where it is its own. */
function changeText(field: string, actor: string, from: string, to: string): string {
  return `${localFieldName(field, actor)}: ${from} → ${to}`;
}

export function formatTraceMermaid(trace: Trace, options: TraceMermaidOptions): string {
  assertShape(options, TRACE_MERMAID_OPTIONS, 'formatTraceMermaid() options');
  if (trace.steps.length === 0) return initialStateMermaid(trace.states[0] ?? {});
  const used = new Set(trace.steps.map((s) => s.actor));
  const participants = options.actors.filter((a) => used.has(a));
  // Actors in the trace but not in the list still get a lifeline (a hand-made trace, a changed model).
  for (const s of trace.steps) if (!participants.includes(s.actor)) participants.push(s.actor);
  const id = new Map(participants.map((a, i) => [a, `a${i}`]));
  const out: string[] = ['sequenceDiagram'];
  for (const a of participants) out.push(`  participant ${id.get(a)} as ${mermaidText(a)}`);
  const indent = (inLoop: boolean): string => (inLoop ? '    ' : '  ');
  trace.steps.forEach((s, i) => {
    const inLoop = trace.loop !== undefined && i >= trace.loop;
    if (trace.loop === i) out.push(`  loop steps ${i + 1}..${trace.steps.length} repeat forever`);
    const p = id.get(s.actor)!;
    const ind = indent(inLoop);
    out.push(`${ind}${p}->>${p}: ${i + 1}. ${mermaidText(s.label)}`);
    const notes = s.changes.map((c) => mermaidText(changeText(c.field, s.actor, c.from, c.to)));
    if (s.error) notes.push(`!! ${mermaidText(s.error)}`);
    if (notes.length) out.push(`${ind}Note right of ${p}: ${notes.join('<br/>')}`);
  });
  if (trace.loop !== undefined && trace.steps.length > 0) out.push('  end');
  return out.join('\n');
}

/** The diagram of a counterexample with no steps: the initial state, field by field, in one note. */
function initialStateMermaid(state: Readonly<Record<string, string>>): string {
  const fields = Object.entries(state).map(([k, v]) => mermaidText(`${k} = ${v}`));
  const note = ['no steps: the initial state itself is the counterexample', ...fields].join('<br/>');
  return ['sequenceDiagram', '  participant s0 as initial state', `  Note over s0: ${note}`].join('\n');
}
