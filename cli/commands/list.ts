/** `faultline list`: every built-in scenario, its variants and where it comes from. */
import type { Command } from 'commander';
import { formatProvenance, scenarios } from '../../scenarios/index.js';
import { EXIT, type ExitCode } from '../exitCodes.js';
import type { CliIo } from '../io.js';
import { parseFormat } from '../options.js';

export function registerList(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('list')
    .description('list the built-in scenarios with their variants and sources')
    .option('-f, --format <format>', 'output: text, json', 'text')
    .addHelpText('after', '\nExample:\n  faultline list')
    .action((flags: { format: string }) => {
      if (parseFormat(flags.format, ['text', 'json']) === 'json') {
        const rows = scenarios.map((s) => ({
          id: s.id,
          title: s.title,
          source: s.source,
          defaultVariant: s.defaultVariant,
          variants: Object.fromEntries(
            Object.entries(s.variants).map(([k, v]) => [k, { description: v.description, expected: v.expected, provenance: v.provenance }]),
          ),
        }));
        io.stdout(JSON.stringify(rows, null, 2) + '\n');
        return done(EXIT.OK);
      }
      const lines: string[] = [];
      for (const s of scenarios) {
        lines.push(`${s.id}  ${s.title}`);
        for (const [name, v] of Object.entries(s.variants)) {
          const exp = v.expected.verdict === 'holds' ? 'holds' : `violates ${v.expected.property ?? '?'}`;
          lines.push(`    :${name}${name === s.defaultVariant ? ' (default)' : ''}  ${exp}  ${v.description}`, `        ${formatProvenance(v.provenance)}`);
        }
        lines.push(`    source: ${s.source}`);
      }
      io.stdout(lines.join('\n') + '\n');
      done(EXIT.OK);
    });
}
