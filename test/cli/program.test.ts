/**
 * The commands load lazily (cli/program.ts): `--help` lists every command from COMMAND_TABLE without
 * loading it, so each table line must say what the real command says, and `check --help` still shows
 * the real command's options.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command, Help } from 'commander';
import { COMMAND_TABLE, runCli } from '../../cli/program.js';
import { fakeIo } from './fakeIo.js';

describe('lazily loaded commands', () => {
  for (const entry of COMMAND_TABLE) {
    it(`${entry.name}: the --help line matches the real command`, async () => {
      const program = new Command();
      (await entry.load())(program, fakeIo(process.cwd()).io, () => {});
      const real = program.commands.find((c) => c.name() === entry.name)!;
      assert.deepEqual({ term: entry.term, description: entry.description }, { term: new Help().subcommandTerm(real), description: real.description() });
    });
  }

  it('--help lists every command; a command shows its own options', async () => {
    const top = fakeIo(process.cwd());
    assert.equal(await runCli(['--help'], top.io), 0);
    for (const entry of COMMAND_TABLE)
      assert.match(top.out(), new RegExp(`^  ${entry.term.replace(/[[\].]/g, '\\$&')} +${entry.description.slice(0, 20)}`, 'm'));
    const check = fakeIo(process.cwd());
    assert.equal(await runCli(['check', '--help'], check.io), 0);
    assert.match(check.out(), /^Usage: faultline check \[options\] <target>$/m);
    assert.match(check.out(), /--max-states/);
  });
});
