/**
 * A trace in the shape of Quint's ITF (Informal Trace Format, https://apalache-mc.org/docs/adr/015adr-trace.html):
 * `{ vars, states: [{ '#meta': { index }, var: value, ... }], loop? }`. "ITF-like" because values are plain
 * JSON: integers as numbers (ITF proper writes `{ "#bigint": "3" }`), enum values as their names, and an
 * array field (`present[0]`, `present[1]` ...) as one JSON array. Variables are the world fields, then per
 * actor `A@state`, `A@budget` (environment actors) and `A.field` for its context, in layout order.
 *
 * A lasso follows ITF: `states` lists each distinct state of the run once and `loop` is the index of the
 * state the last one steps back to. Our Trace keeps the state after the last step as well (it equals
 * `states[loop]`), so it is dropped here.
 */
import type { Trace } from '../../checker/index.js';

export type ItfValue = number | string | ItfValue[];

/** One state: `#meta` (its index in the trace), then every variable. */
export type ItfState = Readonly<Record<string, ItfValue | { readonly index: number }>>;

export interface ItfTrace {
  readonly vars: readonly string[];
  readonly states: readonly ItfState[];
  readonly loop?: number;
}

const ELEMENT = /^(.*)\[(\d+)\]$/;

function value(text: string): number | string {
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

export function toItf(trace: Trace): ItfTrace {
  const vars: string[] = [];
  const seen = new Set<string>();
  const first = trace.states[0] ?? {};
  for (const slot of Object.keys(first)) {
    const name = ELEMENT.exec(slot)?.[1] ?? slot;
    if (!seen.has(name)) {
      seen.add(name);
      vars.push(name);
    }
  }
  const kept = trace.loop === undefined ? trace.states : trace.states.slice(0, trace.steps.length);
  const states = kept.map((snapshot, index) => {
    const out: Record<string, ItfValue | { index: number }> = { '#meta': { index } };
    for (const [slot, text] of Object.entries(snapshot)) {
      const m = ELEMENT.exec(slot);
      if (m) {
        const arr = (out[m[1]!] ??= []) as ItfValue[];
        arr[Number(m[2])] = value(text);
      } else {
        out[slot] = value(text);
      }
    }
    return out;
  });
  return trace.loop === undefined ? { vars, states } : { vars, states, loop: trace.loop };
}
