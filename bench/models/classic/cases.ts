/**
 * The classic models (bench/models/classic/) side by side with their Promela twins: one row per question
 * asked of both checkers, with what SPIN 6.5.2 answered, recorded (`node --import tsx
 * bench/models/classic/run.ts` asks SPIN again and prints the table of BENCHMARKS.md, "Classic models
 * against SPIN"). test/library/classicModels.test.ts holds faultline to these answers without SPIN.
 *
 * What is compared, like with like:
 *  - `safety`: `pan` from `cc -DSAFETY -DNOREDUCE`: assertions and invalid end states, against faultline's
 *    invariants, thrown assertions and `deadlockFreedom()`. Where both say holds, the unreduced state and
 *    transition counts too (pan's "stored + matched" less one: it also counts the initial state's visit).
 *  - `safety-E`: `pan -E` ignores invalid end states; faultline runs the system without its deadlock
 *    property. Counts compared.
 *  - `liveness`: `pan -a -f` (weak fairness) on the twin's `ltl` claim `[]<> P@cs`, against a faultline
 *    `progress` property "enters infinitely often" with weakly fair thread actors. Verdicts only: pan's
 *    counts are those of the product with the claim's automaton.
 * On a violation each checker stops at its first counterexample (pan depth-first, faultline breadth-first),
 * so only the verdicts and the kind of error are compared.
 */
import type { SystemSpec } from '../../../checker/index.js';
import type { PanError, PanMode } from '../spin.js';
import { buffer } from './buffer.scenario.js';
import { dekker } from './dekker.scenario.js';
import { lamport } from './lamport.scenario.js';
import { philosophers } from './philosophers.scenario.js';
import { rwlock } from './rwlock.scenario.js';
import { szymanski } from './szymanski.scenario.js';

export type ClassicModel = 'dekker' | 'lamport' | 'szymanski' | 'philosophers' | 'buffer' | 'rwlock';

export interface ClassicCase {
  /** Unique: the model, its variant and parameters, and the question. */
  readonly name: string;
  readonly model: ClassicModel;
  /** The scenario variant and parameters (`faultline check bench/models/classic/<model>.scenario.ts:<variant>`). */
  readonly variant: string;
  readonly params: Readonly<Record<string, number>>;
  /** The Promela twin's `#define`s for the same model. */
  readonly defines: Readonly<Record<string, number>>;
  readonly mode: PanMode;
  /** SPIN's answer, recorded: no error, or the first error's kind; counts where both hold. */
  readonly spin: { readonly error: PanError | null; readonly states?: number; readonly transitions?: number };
  /** faultline's answer: the property violated first (null: holds). */
  readonly violates: string | null;
  /** Too big for the test suite (about a CPU second or more): run.ts asks it, the test does not. */
  readonly large?: true;
}

const build: Record<ClassicModel, (variant: string, params: Readonly<Record<string, number>>) => SystemSpec> = {
  dekker: (v) => dekker(v as never),
  lamport: (v, p) => lamport(p.n!, v as never),
  szymanski: (v, p) => szymanski(p.n!, v as never),
  philosophers: (v, p) => philosophers(p.n!, v as never),
  buffer: (v, p) => buffer(p.k!, p.m!, v as never),
  rwlock: (v, p) => rwlock(p.r!, v as never),
};

/** The system a case checks: the scenario's, without its deadlock property for `safety-E`, and without progress properties for `safety`. */
export function caseSystem(name: string): SystemSpec {
  const c = classicCases.find((x) => x.name === name);
  if (!c) throw new Error(`no classic case '${name}'`);
  const system = build[c.model](c.variant, c.params);
  const keep = c.mode === 'safety-E' ? (k: string) => k !== 'deadlock' && k !== 'progress' : c.mode === 'safety' ? (k: string) => k !== 'progress' : () => true;
  return { ...system, properties: system.properties.filter((p) => keep(p.kind)) };
}

export const classicCases: readonly ClassicCase[] = [
  {
    name: 'dekker',
    model: 'dekker',
    variant: 'dekker',
    params: {},
    defines: {},
    mode: 'safety',
    spin: { error: null, states: 32, transitions: 60 },
    violates: null,
  },
  { name: 'dekker: P0 enters again', model: 'dekker', variant: 'dekker', params: {}, defines: {}, mode: 'liveness', spin: { error: null }, violates: null },
  {
    name: 'dekker turn-shortcut',
    model: 'dekker',
    variant: 'turn-shortcut',
    params: {},
    defines: { TURN_SHORTCUT: 1 },
    mode: 'safety',
    spin: { error: 'assertion' },
    violates: 'mutual exclusion',
  },
  {
    name: 'lamport n=2',
    model: 'lamport',
    variant: 'fast-mutex',
    params: { n: 2 },
    defines: { N: 2 },
    mode: 'safety',
    spin: { error: null, states: 266, transitions: 486 },
    violates: null,
  },
  {
    name: 'lamport n=3',
    model: 'lamport',
    variant: 'fast-mutex',
    params: { n: 3 },
    defines: { N: 3 },
    mode: 'safety',
    spin: { error: null, states: 7_570, transitions: 19_674 },
    violates: null,
  },
  {
    name: 'lamport n=4',
    model: 'lamport',
    variant: 'fast-mutex',
    params: { n: 4 },
    defines: { N: 4 },
    mode: 'safety',
    spin: { error: null, states: 209_468, transitions: 704_116 },
    violates: null,
    large: true,
  },
  {
    name: 'lamport n=3: P1 enters again',
    model: 'lamport',
    variant: 'starvation',
    params: { n: 3 },
    defines: { N: 3 },
    mode: 'liveness',
    spin: { error: 'acceptance cycle' },
    violates: 'P1 enters again',
  },
  {
    name: 'lamport n=3 no-recheck',
    model: 'lamport',
    variant: 'no-recheck',
    params: { n: 3 },
    defines: { N: 3, NO_RECHECK: 1 },
    mode: 'safety',
    spin: { error: 'assertion' },
    violates: 'mutual exclusion',
  },
  {
    name: 'szymanski n=3',
    model: 'szymanski',
    variant: 'szymanski',
    params: { n: 3 },
    defines: { N: 3 },
    mode: 'safety',
    spin: { error: null, states: 392, transitions: 799 },
    violates: null,
  },
  {
    name: 'szymanski n=3: P0 enters again',
    model: 'szymanski',
    variant: 'szymanski',
    params: { n: 3 },
    defines: { N: 3 },
    mode: 'liveness',
    spin: { error: null },
    violates: null,
  },
  {
    name: 'szymanski n=3 no-lower-wait',
    model: 'szymanski',
    variant: 'no-lower-wait',
    params: { n: 3 },
    defines: { N: 3, NO_LOWER_WAIT: 1 },
    mode: 'safety',
    spin: { error: 'assertion' },
    violates: 'mutual exclusion',
  },
  {
    name: 'philosophers n=4 naive',
    model: 'philosophers',
    variant: 'naive',
    params: { n: 4 },
    defines: { N: 4 },
    mode: 'safety',
    spin: { error: 'deadlock' },
    violates: 'deadlock',
  },
  {
    name: 'philosophers n=3 naive, deadlock off',
    model: 'philosophers',
    variant: 'naive',
    params: { n: 3 },
    defines: { N: 3 },
    mode: 'safety-E',
    spin: { error: null, states: 14, transitions: 27 },
    violates: null,
  },
  {
    name: 'philosophers n=4 naive, deadlock off',
    model: 'philosophers',
    variant: 'naive',
    params: { n: 4 },
    defines: { N: 4 },
    mode: 'safety-E',
    spin: { error: null, states: 34, transitions: 88 },
    violates: null,
  },
  {
    name: 'philosophers n=4 ordered',
    model: 'philosophers',
    variant: 'ordered',
    params: { n: 4 },
    defines: { N: 4, ORDERED: 1 },
    mode: 'safety',
    spin: { error: null, states: 29, transitions: 72 },
    violates: null,
  },
  {
    name: 'philosophers n=7 ordered',
    model: 'philosophers',
    variant: 'ordered',
    params: { n: 7 },
    defines: { N: 7, ORDERED: 1 },
    mode: 'safety',
    spin: { error: null, states: 408, transitions: 1_804 },
    violates: null,
  },
  {
    name: 'philosophers n=4 ordered: Phil0 eats again',
    model: 'philosophers',
    variant: 'ordered-starvation',
    params: { n: 4 },
    defines: { N: 4, ORDERED: 1 },
    mode: 'liveness',
    spin: { error: 'acceptance cycle' },
    violates: 'Phil0 eats again',
  },
  {
    name: 'buffer k=3 m=4',
    model: 'buffer',
    variant: 'atomic',
    params: { k: 3, m: 4 },
    defines: { K: 3, M: 4 },
    mode: 'safety',
    spin: { error: null, states: 16, transitions: 36 },
    violates: null,
  },
  {
    name: 'buffer k=3 m=4 split',
    model: 'buffer',
    variant: 'split',
    params: { k: 3, m: 4 },
    defines: { K: 3, M: 4, ATOMIC: 0 },
    mode: 'safety',
    spin: { error: 'assertion' },
    violates: 'assertion',
  },
  {
    name: 'rwlock r=3',
    model: 'rwlock',
    variant: 'rwlock',
    params: { r: 3 },
    defines: { R: 3 },
    mode: 'safety',
    spin: { error: null, states: 9, transitions: 26 },
    violates: null,
  },
  {
    name: 'rwlock r=6',
    model: 'rwlock',
    variant: 'rwlock',
    params: { r: 6 },
    defines: { R: 6 },
    mode: 'safety',
    spin: { error: null, states: 65, transitions: 386 },
    violates: null,
  },
  {
    name: 'rwlock r=3: Writer writes again',
    model: 'rwlock',
    variant: 'writer-starvation',
    params: { r: 3 },
    defines: { R: 3 },
    mode: 'liveness',
    spin: { error: 'acceptance cycle' },
    violates: 'Writer writes again',
  },
  {
    name: 'rwlock r=3 split',
    model: 'rwlock',
    variant: 'split',
    params: { r: 3 },
    defines: { R: 3, SPLIT: 1 },
    mode: 'safety',
    spin: { error: 'assertion' },
    violates: 'no reading while writing',
  },
];
