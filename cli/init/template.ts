/**
 * What `faultline init` writes: a model project a kernel developer starts from. Every file is here, as
 * text, in one place: package.json (faultline and xstate, TypeScript to type-check), tsconfig.json, one
 * example scenario built from `faultline/models`, a README, .gitignore, and a GitHub Actions workflow that
 * type-checks and gates the project's own scenarios with a JUnit report and a job summary.
 * test/package/pack.test.ts installs the result from `npm pack` of this repository and runs it end to end.
 */

/** The versions the project asks for: faultline's own, and the xstate, TypeScript and Node types faultline is built with. */
export const VERSIONS = { faultline: '^0.1.0', xstate: '^5.33.3', typescript: '~5.9.3', typesNode: '^20.19.43' } as const;

/** The example scenario's path in the project. */
export const EXAMPLE = 'scenarios/read-retry.scenario.ts';

/** Where gate writes its JUnit report in CI (and .gitignore leaves out). */
const JUNIT = 'faultline-junit.xml';

/**
 * The project's files: path (with / separators) -> content, in the order init lists them. `faultline` is
 * the dependency's npm spec: a version range, or a path to a clone or a tarball (`file:...`).
 */
export function projectFiles(name: string, faultline: string = VERSIONS.faultline, shards = 1): ReadonlyMap<string, string> {
  return new Map([
    ['package.json', packageJson(name, faultline)],
    ['tsconfig.json', TSCONFIG],
    [EXAMPLE, EXAMPLE_SCENARIO],
    ['README.md', readme(name)],
    ['.gitignore', `node_modules/\n*.trace.json\n${JUNIT}\n${shards > 1 ? 'gate-*.json\n' : ''}`],
    ['.github/workflows/faultline.yml', shards > 1 ? shardedWorkflow(shards) : workflow()],
  ]);
}

function packageJson(name: string, faultline: string): string {
  const pkg = {
    name,
    version: '0.0.0',
    private: true,
    type: 'module',
    scripts: {
      typecheck: 'tsc --noEmit',
      gate: 'faultline gate scenarios',
      test: 'tsc --noEmit && faultline gate scenarios',
    },
    dependencies: { faultline, xstate: VERSIONS.xstate },
    devDependencies: { '@types/node': VERSIONS.typesNode, typescript: VERSIONS.typescript },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

const TSCONFIG =
  JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022'],
        types: ['node'],
        strict: true,
        skipLibCheck: true,
        noEmit: true,
      },
      include: ['scenarios'],
    },
    null,
    2,
  ) + '\n';

/** The steps every job starts with: the checkout, Node 20 and `npm ci`, indented as steps. */
const SETUP = `      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      # npm ci installs exactly package-lock.json: commit it after your first npm install.
      - run: npm ci`;

/** The workflow's first lines, down to the first job's name and machine. */
function header(title: string): string {
  return `# ${title}
name: faultline
on:
  push:
  pull_request:
jobs:
  gate:
    runs-on: ubuntu-latest
`;
}

/**
 * The CI workflow: install from the lockfile, type-check, gate every scenario file under scenarios/ with
 * a JUnit report (kept as an artifact) and the Markdown report as the job summary.
 */
export function workflow(): string {
  return `${header("Gates this project's scenarios: every variant against its expected verdict.")}    steps:
${SETUP}
      - run: npx tsc --noEmit
      - run: npx faultline gate scenarios --junit ${JUNIT} --summary "$GITHUB_STEP_SUMMARY"
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: faultline-junit
          path: ${JUNIT}
# When the gate outgrows one job, \`faultline init --shards N\` writes this workflow as a matrix of N
# gate shards and a job that merges their results (faultline's docs/cli.md, "CI: a shard matrix").
`;
}

/**
 * The CI workflow split over a matrix of \`shards\` gate jobs (\`faultline gate --shard I/N\`, a deterministic
 * split of the variants), each keeping its JSON result as an artifact, and a merge job that combines them
 * (\`faultline merge\`: a missing or repeated shard fails it) into the JUnit report and the job summary the
 * one-job workflow gives.
 */
export function shardedWorkflow(shards: number): string {
  const matrix = Array.from({ length: shards }, (_, i) => i + 1).join(', ');
  return `${header(`Gates this project's scenarios over ${shards} shards: every variant against its expected verdict.`)}    strategy:
      fail-fast: false
      matrix:
        shard: [${matrix}]
    steps:
${SETUP}
      - run: npx tsc --noEmit
      - run: npx faultline gate scenarios --shard \${{ matrix.shard }}/${shards} --format json > gate-\${{ matrix.shard }}.json
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: gate-\${{ matrix.shard }}
          path: gate-\${{ matrix.shard }}.json
  merge:
    needs: gate
    if: always()
    runs-on: ubuntu-latest
    steps:
${SETUP}
      - uses: actions/download-artifact@v4
        with:
          pattern: gate-*
          merge-multiple: true
      - run: npx faultline merge gate-*.json --junit ${JUNIT} --summary "$GITHUB_STEP_SUMMARY"
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: faultline-junit
          path: ${JUNIT}
`;
}

function readme(name: string): string {
  return `# ${name}

Models of Linux kernel user-memory-access protocols, checked with faultline: every interleaving of the
actors, every property, and the counterexample as the CPU0/CPU1 trace a commit message uses.

## Run

\`\`\`sh
npm install                                  # the first time; commit package-lock.json (CI runs npm ci)
npx faultline check ${EXAMPLE}               # the default variant: whole-buffer, a livelock
npx faultline check ${EXAMPLE}:one-page      # the fix: holds
npx faultline show ${EXAMPLE}                # parameters, variants, properties, state diagrams
npx faultline gate scenarios                 # every variant against its expected verdict
npm test                                     # type-check, then gate
\`\`\`

\`check\` saves a counterexample's trace in /tmp/faultline (\`--trace FILE\` to choose, \`--no-trace\` for
none) and prints the \`faultline replay\` command that re-executes it.

## Write a scenario

A scenario is a \`*.scenario.ts\` file under \`scenarios/\` that exports \`defineScenario({...})\` from
\`faultline\`. Its actors are xstate v5 machines; the simulated kernel comes from \`faultline/models\`:
the MMU (\`defineMmu\`: pages, PTEs, folios, pins, the LRU), \`iov_iter\` (\`defineIovIter\`), the
kernel's user accesses and fault-ins (\`accessiblePrefix\`, \`faultInWriteable\`, ...), ready-made actors
(\`reclaimActor\`, \`munmapActor\`, \`migrationActor\`, ...) and properties (\`residentCapacity\`,
\`iterProgress\`, \`stablePages\`, ...). \`${EXAMPLE}\` uses several; faultline's models/README.md is
the guide to all of them. Give each variant the verdict you expect: \`faultline gate\` fails CI when a
variant stops matching it.

## CI

\`.github/workflows/faultline.yml\` runs \`npm ci\`, type-checks, and gates \`scenarios/\`: the JUnit
report is kept as the \`faultline-junit\` artifact and the Markdown report (a table, and each
counterexample as a sequence diagram) is the job summary.
`;
}

const EXAMPLE_SCENARIO = `/**
 * A read() that copies to a user buffer with page faults disabled and, when the copy comes up short,
 * faults the buffer in and retries: the loop gfs2, btrfs and iomap use to avoid faulting under their own
 * locks. The buffer has \`pages\` user pages, all absent at first, and at most \`capacity\` of them can be
 * resident (a deterministic LRU: faulting in one more evicts the least recently used); reclaim may also
 * evict any page \`reclaim\` times.
 *
 * whole-buffer faults in everything left before retrying: when the buffer is larger than memory, the
 * fault-in evicts the pages the copy needs first, and the read never returns. one-page faults in only the
 * page the copy stopped at, so every retry copies at least that page.
 *
 * Built from faultline/models: defineMmu (the simulated MMU), accessiblePrefix and faultInWriteable (the
 * kernel's user accesses), reclaimActor (an environment actor) and residentCapacity (a property).
 */
import { assign, setup } from 'xstate';
import { defineScenario, int, terminates, type Provenance, type StepEvent, type SystemSpec } from 'faultline';
import { accessiblePrefix, defineMmu, faultInWriteable, reclaimActor, residentCapacity, type Mmu, type MmuWorld } from 'faultline/models';

type Variant = 'whole-buffer' | 'one-page';

function readerMachine(m: Mmu, variant: Variant) {
  return setup({
    types: { context: {} as { pos: number }, events: {} as StepEvent<'copy' | 'faultIn', MmuWorld> },
    guards: {
      // copy_to_user_nofault() of what is left succeeds when every page of it is present and writable.
      copiesAll: ({ context, event }) => accessiblePrefix(event.world, m, context.pos, m.pages - context.pos, true) === m.pages - context.pos,
    },
    actions: {
      faultIn: ({ context, event }) => {
        faultInWriteable(event.world, m, context.pos, variant === 'whole-buffer' ? m.pages - context.pos : 1);
      },
    },
  }).createMachine({
    id: 'reader',
    initial: 'copying',
    context: { pos: 0 },
    states: {
      copying: {
        on: {
          copy: [
            { guard: 'copiesAll', target: 'done', description: 'copy_to_user_nofault() copies the rest' },
            {
              target: 'faulting',
              // A short copy keeps what it copied: the accessible prefix (the MMU tracks no data, so this is all it changes).
              actions: assign({ pos: ({ context, event }) => context.pos + accessiblePrefix(event.world, m, context.pos, m.pages - context.pos, true) }),
              description: 'copy_to_user_nofault() stops short',
            },
          ],
        },
      },
      faulting: {
        on: { faultIn: { target: 'copying', actions: 'faultIn', description: 'fault_in_writeable()' } },
      },
      done: { type: 'final' },
    },
  });
}

function build(p: { pages: number; capacity: number; reclaim: number }, variant: Variant): SystemSpec<MmuWorld> {
  const m = defineMmu({ pages: p.pages, unitsPerPage: 1, capacity: p.capacity, staticVma: true });
  const actors: SystemSpec<MmuWorld>['actors'][number][] = [{ name: 'CPU0', machine: readerMachine(m, variant), fields: { pos: int(0, p.pages) } }];
  if (p.reclaim > 0) actors.push(reclaimActor(m, { budget: p.reclaim }));
  return {
    name: \`read-retry:\${variant}\`,
    world: { ...m.fields },
    actors,
    properties: [terminates('CPU0', { name: 'read returns' }), residentCapacity(m)],
  };
}

const example: Provenance = { kind: 'hypothetical', why: 'the example faultline init writes, not a particular kernel' };

export default defineScenario({
  id: 'read-retry',
  title: 'a nofault copy + fault-in + retry read loop under memory pressure',
  source: 'your kernel tree: the loop you are modelling',
  description: 'CPU0 copies a user buffer with page faults disabled, faults in on a short copy, and retries.',
  params: {
    pages: { description: 'pages in the user buffer', default: 3, min: 1, max: 4 },
    capacity: { description: 'pages that can be resident at once', default: 2, min: 1, max: 4 },
    reclaim: { description: 'evictions reclaim may make', default: 1, min: 0, max: 3 },
  },
  // Each variant says where its code comes from: { kind: 'shipped', versions, commits },
  // { kind: 'proposal', thread } or { kind: 'hypothetical', why }.
  variants: {
    'whole-buffer': {
      description: 'fault in the whole rest of the buffer: never returns when it does not fit in memory',
      expected: { verdict: 'violated', property: 'read returns' },
      provenance: example,
    },
    'one-page': {
      description: 'fault in the page the copy stopped at: always returns',
      expected: { verdict: 'holds' },
      provenance: example,
    },
  },
  defaultVariant: 'whole-buffer',
  validate: (p) => (p.capacity > p.pages ? \`capacity (\${p.capacity}) cannot exceed pages (\${p.pages})\` : null),
  build: (p, v) => build(p, v as Variant),
});
`;
