/**
 * Issue 14, api14: a key mistyped in an object the public API takes is never silently ignored. Each probe
 * is written as a plain JavaScript caller writes it (no types: `as any`), and "before" in a comment is
 * what the branch point answered. An unknown key is refused with the key, the keys there are and the one
 * most likely meant; a known key with a value of the wrong type is named with the value. Objects that
 * legitimately carry the user's own keys (a scenario's parameters, symmetry groups, an actor's input,
 * a worker source's args, the violation replay() is given as its claim) stay open.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assign, setup } from 'xstate';
import {
  array,
  bool,
  bound,
  chan,
  check,
  checkInWorker,
  checkScenario,
  compileSystem,
  deadlockFreedom,
  findScenario,
  formatTraceMermaid,
  formatTraceText,
  int,
  invariant,
  nonIncreasing,
  progress,
  replay,
  resolveCheckOptions,
  resolveStep,
  ScenarioInputError,
  SystemDefinitionError,
  terminates,
  transitionProperty,
  type AnyScenario,
  type SystemSpec,
} from '../../index.js';
import { closestWord } from '../../checker/keys.js';
import { defineIovIter, defineMmu, reclaimActor } from '../../models/index.js';
import { EXIT } from '../../cli/exitCodes.js';
import { runCli } from '../../cli/program.js';
import { scenarioDefinitionProblem } from '../../scenarios/index.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from '../cli/fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-api-options-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const API_KEYS = join(REPO_ROOT, 'test/trust/probes/api-keys.scenario.ts');

const machine = setup({}).createMachine({
  id: 'm',
  initial: 'a',
  context: { k: 0 },
  states: { a: { on: { go: { target: 'b', actions: assign({ k: 1 }) } } }, b: { type: 'final' } },
});
const actor = (extra: object = {}): any => ({ name: 'P', machine, fields: { k: int(0, 1) }, ...extra });
const system = (extra: object = {}, a: object = actor(), properties: unknown[] = [invariant('ok', () => true)]): any => ({
  name: 's',
  world: { n: int(0, 1) },
  actors: [a],
  properties,
  ...extra,
});
const any = (x: unknown): any => x;

const CHECK_KEYS =
  'strategy, maxStates, stopAtFirstViolation, now, memory, shouldStop, onProgress, seed, stream, executions, maxDepth, pctDepth, store, bitstate, xstateCheck, trace, reduce, workers, source';
const ACTOR_KEYS = 'name, machine, input, kind, fairness, budget, fields, choices, cost, label';

describe('the closest known key', () => {
  it('is one or two edits away, or the only one a word abbreviates; nothing when none is close', () => {
    const cases: readonly [string, readonly string[], string | undefined][] = [
      ['maxState', ['maxStates', 'maxDepth'], 'maxStates'],
      ['explian', ['description', 'explain'], 'explain'],
      ['inflight', ['inFlight', 'progress'], 'inFlight'],
      ['descr', ['description', 'explain'], 'description'],
      ['nme', ['name', 'description'], 'name'],
      ['threads', ['readers', 'pages', 'capacity'], undefined],
      ['x', ['name', 'kind'], undefined],
    ];
    for (const [word, known, meant] of cases) assert.equal(closestWord(word, known), meant, word);
  });
});

describe('options objects: an unknown key is a RangeError naming it, the keys and the closest', () => {
  // Before: every one of these ran with the default and answered as if the option had been set.
  const cases: readonly [string, () => unknown, string][] = [
    [
      'check maxState',
      () => check(system(), any({ maxState: 100 })),
      `check() options: unknown key 'maxState' (did you mean 'maxStates'?); the keys are ${CHECK_KEYS}`,
    ],
    [
      'check stopAtFirstViolaton',
      () => check(system(), any({ stopAtFirstViolaton: false })),
      `check() options: unknown key 'stopAtFirstViolaton' (did you mean 'stopAtFirstViolation'?); the keys are ${CHECK_KEYS}`,
    ],
    ['resolveCheckOptions', () => resolveCheckOptions(any({ executons: 5 })), "check() options: unknown key 'executons' (did you mean 'executions'?)"],
    [
      'check bitstate.bit',
      () => check(system(), any({ store: 'bitstate', bitstate: { bit: 20 } })),
      "check() options: bitstate: unknown key 'bit' (did you mean 'bits'?); the keys are bits, hashes",
    ],
    [
      'check source.modul',
      () => check(system(), any({ workers: 2, source: { modul: 'x.js' } })),
      "check() options: source: unknown key 'modul' (did you mean 'module'?)",
    ],
    [
      'checkScenario varient',
      () => checkScenario(findScenario('retry-ring')!, any({ varient: 'ring' })),
      `checkScenario() options: unknown key 'varient' (did you mean 'variant'?); the keys are ${CHECK_KEYS}, variant, params`,
    ],
    [
      'replay xstat',
      () => replay(compileSystem(system()), [], undefined, { property: 'ok', kind: 'invariant' }, any({ xstat: true })),
      "replay() options: unknown key 'xstat' (did you mean 'xstate'?); the keys are xstate",
    ],
    [
      'formatTraceText brif',
      () => formatTraceText({ steps: [], initial: {} } as any, any({ actors: [], brif: true })),
      "formatTraceText() options: unknown key 'brif' (did you mean 'brief'?); the keys are actors, maxColumn, brief, width",
    ],
    // Before: TypeError: Cannot read properties of undefined (reading '0').
    [
      'formatTraceMermaid actor',
      () => formatTraceMermaid({ steps: [], initial: {} } as any, any({ actor: ['P'] })),
      "formatTraceMermaid() options: unknown key 'actor' (did you mean 'actors'?); the keys are actors",
    ],
  ];
  for (const [name, run, message] of cases) {
    it(name, () => {
      assert.throws(
        run,
        (e: Error) => e instanceof RangeError && (e.message === message || (e.message.startsWith(message) && !message.includes('; the keys are'))),
      );
    });
  }

  it('a known key with a value of the wrong type is named with the value', () => {
    // Before: 'false' (truthy) stopped at the first violation; 1 and a number for `now` were taken as given.
    const cases: readonly [object, string][] = [
      [{ stopAtFirstViolation: 'false' }, "check() options: stopAtFirstViolation must be true or false, not 'false' (a string)"],
      [{ xstateCheck: 1 }, 'check() options: xstateCheck must be true or false, not 1'],
      [{ now: 5 }, 'check() options: now must be a function, not 5'],
      [{ maxStates: '100' }, "maxStates must be a whole number >= 1, not '100' (a string)"],
    ];
    for (const [options, message] of cases) assert.throws(() => check(system(), any(options)), { name: 'RangeError', message });
    assert.throws(() => check(system(), any(null)), { name: 'RangeError', message: `check() options must be an object ({ ${CHECK_KEYS} }), not null` });
    assert.throws(() => formatTraceText({ steps: [], initial: {} } as any, any({ actors: [], width: '72' })), {
      message: "formatTraceText() options: width must be a whole number of columns, 1 or more, not '72' (a string)",
    });
  });

  it('checkInWorker() rejects before a thread starts', async () => {
    // Before: maxState went to the thread and was ignored there; a function failed to clone.
    await assert.rejects(checkInWorker('retry-ring', any({ maxState: 3 })), {
      name: 'RangeError',
      message: /^checkInWorker\(\) options: unknown key 'maxState' \(did you mean 'maxStates'\?\)/,
    });
    await assert.rejects(checkInWorker('retry-ring', any({ shouldStop: () => null })), {
      message: 'checkInWorker() options: shouldStop cannot cross to the worker thread, which has its own (bound the run with timeout, maxMemory or signal)',
    });
    await assert.rejects(checkInWorker('retry-ring', any({ timeout: '5' })), {
      message: "checkInWorker() options: timeout must be a number, not '5' (a string)",
    });
    await assert.rejects(checkInWorker('retry-ring', any({ maxMemory: -1 })), {
      message: 'checkInWorker() options: maxMemory must be a number above 0, not -1',
    });
    await assert.rejects(checkInWorker('retry-ring', any({ signal: {} })), {
      message: 'checkInWorker() options: signal must be an AbortSignal, not an object',
    });
  });

  it('a parameter or variant name one edit off is suggested', () => {
    const ring = findScenario('retry-ring')!;
    assert.throws(() => checkScenario(ring, { params: { readrs: 2 } }), {
      name: 'ScenarioInputError',
      message: "scenario 'retry-ring' has no parameter 'readrs' (parameters: readers, pages, capacity, budget, retries) (did you mean 'readers'?)",
    });
    assert.throws(() => checkScenario(ring, { variant: 'rign' }), {
      message: /^scenario 'retry-ring' has no variant 'rign' \(variants: .*\) \(did you mean 'ring'\?\)$/,
    });
  });
});

describe('spec objects: an unknown key is refused when the thing is defined', () => {
  it('a system, an actor, a hand-written field or property: SystemDefinitionError', () => {
    // Before: each ran as if the key were absent (fairness weak, no choices, the label by default, ...).
    const cases: readonly [object, string][] = [
      [system({ propertes: [] }), "system 's': unknown key 'propertes' (did you mean 'properties'?); the keys are name, world, actors, properties, symmetric"],
      [system({}, actor({ fairnes: 'strong' })), `system 's': actor 'P': unknown key 'fairnes' (did you mean 'fairness'?); the keys are ${ACTOR_KEYS}`],
      [system({}, actor({ lable: () => 'x' })), `system 's': actor 'P': unknown key 'lable' (did you mean 'label'?); the keys are ${ACTOR_KEYS}`],
      [system({}, actor({ inputs: 3 })), `system 's': actor 'P': unknown key 'inputs' (did you mean 'input'?); the keys are ${ACTOR_KEYS}`],
      [system({}, actor({ choices: 2 })), "system 's': actor 'P': choices must be an object, not 2"],
      [
        system({}, actor({ kind: 'environment', budget: 1, cost: { og: 0 } })),
        "system 's': actor 'P': a cost given for 'og', which no state of the machine accepts (events: go; did you mean 'go'?)",
      ],
      [
        system({ world: { n: { kind: 'scalar', min: 0, max: 1, init: 0, nmes: ['a', 'b'] } } }),
        "system 's': world field 'n': unknown key 'nmes' (did you mean 'names'?); the keys are kind, min, max, init, names, actorId",
      ],
      [
        system({ world: { a: { kind: 'array', length: 2, element: int(0, 1), init: [0, 0], indexBy: 'g' } } }),
        "system 's': world field 'a': unknown key 'indexBy' (did you mean 'indexedBy'?); the keys are kind, length, element, init, indexedBy",
      ],
      [
        system({}, actor({ fields: { k: { ...int(0, 1), actorID: 'g' } } })),
        "system 's': actor 'P' field 'k': unknown key 'actorID' (did you mean 'actorId'?)",
      ],
      // Before: holds - a property of no kind any monitor knows is never checked.
      [
        system({}, actor(), [{ kind: 'invarient', name: 'x', holds: () => false }]),
        "system 's': property 'x': its kind is 'invarient' (a string), not one of invariant, transition, deadlock, bound, progress (did you mean 'invariant'?)",
      ],
      [
        system({}, actor(), [{ kind: 'invariant', name: 'x', holds: () => true, descripton: 'y' }]),
        "system 's': property 'x': unknown key 'descripton' (did you mean 'description'?)",
      ],
      // Before: holds - 1 <= '0' is false, but the limit compared as a string.
      [system({}, actor(), [{ kind: 'bound', name: 'b', value: () => 1, limit: '0' }]), "system 's': property 'b': limit must be a number, not '0' (a string)"],
    ];
    for (const [spec, message] of cases) {
      assert.throws(
        () => compileSystem(spec as SystemSpec),
        (e: Error) => e instanceof SystemDefinitionError && e.message.startsWith(message),
        message,
      );
    }
  });

  it("field constructors' and property constructors' options: RangeError when called", () => {
    // Before: each option was dropped (int's initial value 0, the array not indexed, no description or explain).
    const cases: readonly [() => unknown, string][] = [
      // Before: started true (a string is truthy); chan() threw a TypeError.
      [() => bool(any('false')), "bool(): the initial value must be true, false, 0 or 1, not 'false' (a string)"],
      [() => chan(2, int(0, 1), any(1)), 'chan(): the initial messages must be an array, not 1'],
      [() => int(0, 3, any({ initt: 2 })), "int() options: unknown key 'initt' (did you mean 'init'?); the keys are init, actorId"],
      [() => array(2, int(0, 1), any({ indexBy: 'g' })), "array() options: unknown key 'indexBy' (did you mean 'indexedBy'?); the keys are init, indexedBy"],
      [
        () => invariant('x', () => true, any({ descripton: 'd' })),
        "invariant('x') options: unknown key 'descripton' (did you mean 'description'?); the keys are description, explain",
      ],
      [() => invariant('x', () => true, any({ explain: 'text' })), "invariant('x') options: explain must be a function, not 'text' (a string)"],
      [
        () => transitionProperty('t', () => true, any({ explian: () => '' })),
        "transitionProperty('t') options: unknown key 'explian' (did you mean 'explain'?); the keys are description, explain",
      ],
      [
        () => nonIncreasing('t', () => 1, any({ unles: () => true })),
        "nonIncreasing('t') options: unknown key 'unles' (did you mean 'unless'?); the keys are description, unless",
      ],
      [() => bound('b', () => 1, 2, any({ descr: 'd' })), "bound('b') options: unknown key 'descr' (did you mean 'description'?); the keys are description"],
      [() => bound('b', () => 1, any('2')), "bound('b'): its limit must be a number, not '2' (a string)"],
      [
        () => progress('p', any({ inflight: () => true, progress: () => false })),
        "progress('p') options: unknown key 'inflight' (did you mean 'inFlight'?); the keys are inFlight, progress, description",
      ],
      [() => terminates('P', any({ nme: 'x' })), "terminates('P') options: unknown key 'nme' (did you mean 'name'?); the keys are name, description"],
      [() => terminates(any(0)), "terminates(): the actor's name must be a string, not 0"],
      [() => deadlockFreedom(any({ nam: 'x' })), "deadlockFreedom() options: unknown key 'nam' (did you mean 'name'?); the keys are name, description"],
      [() => deadlockFreedom(any('deadlock')), "deadlockFreedom() options must be an object ({ name, description }), not 'deadlock' (a string)"],
    ];
    for (const [run, message] of cases) assert.throws(run, { name: 'RangeError', message });
  });

  it("faultline/models: defineMmu()'s and reclaimActor()'s options, as the init template uses them", () => {
    // Before: capacity left unlimited (no LRU, nothing ever evicted for room); reclaim named 'reclaim'.
    assert.throws(() => defineMmu(any({ pages: 2, capacty: 1 })), {
      name: 'RangeError',
      message: /^defineMmu\(\) options: unknown key 'capacty' \(did you mean 'capacity'\?\); the keys are pages, unitsPerPage, /,
    });
    const m = defineMmu({ pages: 2, capacity: 1 });
    // Before: an iterator without the i->nofault flag.
    assert.throws(() => defineIovIter(m, 'it', any({ type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 2 }], nofualt: true })), {
      message: "defineIovIter() options: unknown key 'nofualt' (did you mean 'nofault'?); the keys are type, dir, segments, count, nofault, warn",
    });
    assert.throws(() => reclaimActor(m, any({ budget: 1, nme: 'kswapd' })), {
      name: 'RangeError',
      message: "reclaimActor() options: unknown key 'nme' (did you mean 'name'?); the keys are name, budget, pages, policy",
    });
  });

  it('through the CLI, each slip in a scenario file is one line, exit 2', async () => {
    const defined = (what: string) => `faultline: the model is not well defined: system 'probe-api-keys': ${what}\n`;
    const cases: Record<string, string> = {
      'system-key': defined("unknown key 'symetric' (did you mean 'symmetric'?); the keys are name, world, actors, properties, symmetric"),
      'actor-fairness': defined(`actor 'CPU0': unknown key 'fairnes' (did you mean 'fairness'?); the keys are ${ACTOR_KEYS}`),
      'actor-choices': defined(`actor 'CPU0': unknown key 'choice' (did you mean 'choices'?); the keys are ${ACTOR_KEYS}`),
      'actor-cost-event': defined("actor 'CPU0': a cost given for 'stpe', which no state of the machine accepts (events: step; did you mean 'step'?)"),
      'field-key': defined("world field 'm': unknown key 'nmes' (did you mean 'names'?); the keys are kind, min, max, init, names, actorId"),
      'property-kind': defined(
        "property 'k stays 0': its kind is 'invarient' (a string), not one of invariant, transition, deadlock, bound, progress (did you mean 'invariant'?)",
      ),
      'bound-limit': defined("property 'k at most': limit must be a number, not '0' (a string)"),
    };
    const ok = fakeIo(scratch);
    assert.equal(await runCli(['check', `${API_KEYS}:as-meant`, '--no-typecheck'], ok.io), EXIT.OK, ok.err());
    for (const [variant, line] of Object.entries(cases)) {
      const f = fakeIo(scratch);
      const code = await runCli(['check', `${API_KEYS}:${variant}`, '--no-typecheck'], f.io);
      assert.deepEqual([code, f.out(), f.err()], [EXIT.BAD_INPUT, '', line], variant);
    }
  });
});

describe('scenario definitions: an unknown key is refused when loaded', () => {
  const base: AnyScenario = {
    id: 'toy',
    title: 'toy',
    source: 'test',
    description: 'toy',
    params: { n: { description: 'n', default: 2, min: 1, max: 3 } },
    variants: { a: { description: 'a', expected: { verdict: 'violated', property: 'p' }, provenance: { kind: 'hypothetical', why: 'w' } } },
    defaultVariant: 'a',
    build: () => system(),
  };
  const variant = (v: object): AnyScenario => ({ ...base, variants: { a: { ...base.variants.a!, ...v } as never } });

  it('names each slip, and a scenario whose keys are all known passes', () => {
    // Before: each was ignored - validate never ran, the expected property was never compared, ...
    const cases: readonly [AnyScenario, string][] = [
      [
        any({ ...base, validat: () => null }),
        "its definition: unknown key 'validat' (did you mean 'validate'?); the keys are id, title, source, description, params, variants, defaultVariant, validate, build",
      ],
      [any({ ...base, validate: 'n > 0' }), "its definition: validate must be a function, not 'n > 0' (a string)"],
      [
        any({ ...base, params: { n: { ...base.params.n, defualt: 3 } } }),
        "parameter 'n': unknown key 'defualt' (did you mean 'default'?); the keys are description, default, min, max",
      ],
      [
        variant({ expect: { verdict: 'holds' } }),
        "variant 'a': unknown key 'expect' (did you mean 'expected'?); the keys are description, expected, provenance, params",
      ],
      [
        variant({ expected: { verdict: 'violated', propery: 'p' } }),
        "variant 'a': its expected: unknown key 'propery' (did you mean 'property'?); the keys are verdict, property",
      ],
      [
        variant({ provenance: { kind: 'hypothetical', why: 'w', commits: [] } }),
        "variant 'a': its 'hypothetical' provenance: unknown key 'commits'; the keys are kind, why",
      ],
      [variant({ params: 'n' }), "variant 'a': params must be an array, not 'n' (a string)"],
    ];
    assert.equal(scenarioDefinitionProblem(base), null);
    for (const [s, message] of cases) assert.equal(scenarioDefinitionProblem(s), message);
  });

  it('checkScenario() checks the definition as the CLI does', () => {
    // Before: checkScenario ran a scenario the CLI would refuse, its mistyped validate never called.
    assert.throws(
      () => checkScenario(any({ ...base, validat: () => 'never valid' })),
      (e: Error) => e instanceof ScenarioInputError && e.message.startsWith("scenario 'toy': its definition: unknown key 'validat'"),
    );
  });

  it('a scenario file with a mistyped key: one line, exit 2', async () => {
    const file = join(scratch, 'typo.scenario.mjs');
    writeFileSync(
      file,
      `import { defineScenario } from 'faultline';
export default defineScenario({
  id: 'typo', title: 't', source: 's', description: 'd', params: {}, defaultVariant: 'a',
  variants: { a: { description: 'a', expected: { verdict: 'holds' }, provenance: { kind: 'hypothetical', why: 'w' } } },
  validat: () => 'never valid',
  build: () => { throw new Error('not built'); },
});
`,
    );
    const f = fakeIo(scratch);
    const code = await runCli(['check', file, '--no-typecheck'], f.io);
    assert.equal(code, EXIT.BAD_INPUT, f.err());
    assert.equal(f.out(), '');
    assert.match(f.err(), /^faultline: .*unknown key 'validat' \(did you mean 'validate'\?\).*\n$/);
  });
});

describe("objects that carry the user's own keys stay open", () => {
  it('parameters, symmetry groups, an actor input, a source args, the claim replay() is given', () => {
    const ring = findScenario('retry-ring')!;
    assert.equal(checkScenario(ring, { params: { readers: 1 }, maxStates: 100_000 }).params.readers, 1);
    // Any group name, any input value: the user's own.
    const twin = (name: string) => actor({ name, input: { anything: [1, 2] } });
    const sym = {
      name: 's',
      world: { n: int(0, 1) },
      actors: [twin('P0'), twin('P1')],
      properties: [invariant('ok', () => true)],
      symmetric: { myCpus: ['P0', 'P1'] },
    };
    assert.equal(check(sym as SystemSpec, { reduce: 'symmetry' }).verdict, 'holds');
    // A violation is passed to replay() as it is, with its trace and message.
    const broken = compileSystem(system({}, actor(), [invariant('k stays 0', (s) => s.actors[0]!.context.k === 0)]));
    const v = check(broken).violations[0]!;
    const steps = v.trace.steps.map((s) => resolveStep(broken, s.actor, s.transition, s.choice) as number);
    assert.equal(replay(broken, steps, undefined, v).status, 'reproduced');
  });

  it("an xstate machine's own config is xstate's: extra keys in it are not refused here", () => {
    const described = setup({}).createMachine({
      id: 'd',
      initial: 'a',
      description: 'a machine',
      meta: { anything: true },
      context: { k: 0 },
      states: { a: { description: 'start', meta: { waitsFor: 'nothing' }, on: { go: { target: 'b', description: 'go on' } } }, b: { type: 'final' } },
    });
    assert.equal(check(system({}, actor({ machine: described }))).verdict, 'holds');
  });
});
