/** Options several commands share, declared once so their wording and defaults agree. */
import type { Command } from 'commander';
import { BITSTATE_BITS, BITSTATE_HASHES, DEFAULT_BITSTATE, strategyNames } from '../../checker/index.js';
import { formatChoicesText, formatsHelpText, type OutputKind } from '../format/registry.js';
import { LIMIT_ENV } from '../options.js';

/** --max-states, --timeout, --max-memory (and --strategy where the command lets the user pick one). */
export function addLimitFlags(cmd: Command, o: { strategy: boolean; per?: string }): Command {
  const per = o.per ? ` ${o.per}` : '';
  if (o.strategy) {
    cmd
      .option(
        '-s, --strategy <name>',
        `search strategy: ${strategyNames.join(', ')} (bfs and dfs are exhaustive; random and pct sample executions and can only find violations)`,
        'bfs',
      )
      .option('--seed <n>', 'random, pct: seed of the generator (default 1)')
      .option('--executions <n>', 'random, pct: executions to run (default 1,000)')
      .option('--max-depth <n>', 'random, pct: steps per execution at most (default 1,000)')
      .option('--pct-depth <d>', 'pct: bug depth, d - 1 priority change points per execution (default 3)')
      .option(
        '--store <kind>',
        'visited set of bfs: exact (default), compact (hash compaction: 63-bit fingerprints, far less memory for wide states, and the probability that a state was missed is reported) or bitstate (supertrace: k bits a state, beyond memory; never holds, inconclusive with a coverage estimate)',
        'exact',
      )
      .option(
        '--bitstate-bits <n>',
        `--store bitstate: 2^n bits in the array (${BITSTATE_BITS.min}..${BITSTATE_BITS.max}, default ${DEFAULT_BITSTATE.bits}: ${2 ** (DEFAULT_BITSTATE.bits - 23)} MiB)`,
      )
      .option('--hashes <k>', `--store bitstate: bits set per state (${BITSTATE_HASHES.min}..${BITSTATE_HASHES.max}, default ${DEFAULT_BITSTATE.hashes})`)
      .option(
        '--workers <n>',
        'bfs with the exact store: search on N threads sharing the visited set (default 1); verdict, counts and counterexample are the same for any N (progress properties and reductions run on one thread)',
      );
  }
  return cmd
    .option(
      '--reduce <reduction>',
      `reductions of bfs and dfs: none (default: every state is counted, as the documented counts are), por (partial-order reduction), symmetry (one state per renaming of the actors a scenario declares interchangeable) or all; one not sound for the scenario's properties is switched off, and the report says why`,
    )
    .option(
      '--trace-order <order>',
      `which counterexample bfs and dfs print: shortest (default: of the shortest, the fewest context switches; a lasso keeps its loop) or fewest-switches (the fewest switches of any length, then the shortest); random and pct print the execution they sampled`,
    )
    .option('--max-states <n>', `stop${per}, inconclusive (exit 3), past this many states (default 50,000,000; env ${LIMIT_ENV.maxStates})`)
    .option('--timeout <seconds>', `stop${per}, inconclusive (exit 3), after this many seconds (default none; env ${LIMIT_ENV.timeout})`)
    .option(
      '--max-memory <MiB>',
      `stop${per}, inconclusive (exit 3), when resident memory passes this (default 80% of the machine's; env ${LIMIT_ENV.maxMemory})`,
    );
}

/** --shard and --costs (gate, sweep). */
export function addShardFlags(cmd: Command, items: string): Command {
  return cmd
    .option(
      '--shard <i/n>',
      `run only shard I of N (a deterministic split of the ${items}, balanced by recorded cost); combine the shards' --format json results with \`faultline merge\``,
    )
    .option(
      '--costs <file>',
      `recorded costs for --shard: a previous ${items === 'points' ? 'sweep' : 'gate'} report in JSON (its states per run), or a JSON object of numbers (default: the built-in gate's recorded costs; equal costs otherwise)`,
    );
}

/** --quiet and --no-color. */
export function addOutputFlags(cmd: Command): Command {
  return cmd
    .option('-q, --quiet', 'no live progress line on stderr (it is only drawn on a terminal anyway)')
    .option('--no-color', 'no colour (also: NO_COLOR=1; colour is only used on a terminal)');
}

/** -f, --format: its choices and a `Formats:` section of the help, both from the format registry (cli/format/registry.ts). */
export function addFormatFlag(cmd: Command, outputs: readonly OutputKind[], what = 'output'): Command {
  return cmd.option('-f, --format <format>', `${what}: ${formatChoicesText(outputs)}`, 'text').addHelpText('after', formatsHelpText(outputs));
}
