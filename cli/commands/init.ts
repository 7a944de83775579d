/** `faultline init [DIR]`: scaffold a model project (cli/init/template.ts) in a new or empty folder. */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exitCodes.js';
import type { CliIo } from '../io.js';
import { EXAMPLE, projectFiles, VERSIONS } from '../init/template.js';
import { shownPath } from '../traceFiles.js';

interface InitFlags {
  readonly force?: boolean;
  readonly faultline?: string;
  readonly shards?: string;
}

/** An npm package name from a folder name: lower case, runs of anything else than [a-z0-9._-] as one '-'. */
export function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|-+$/g, '');
  return name === '' ? 'faultline-models' : name;
}

/** The folder's entries, or none when it does not exist; a file in its place is bad input. */
function entries(dir: string, shown: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') throw new UsageError(`'${shown}' is a file, not a folder`);
    throw new UsageError(`cannot read the folder '${shown}': ${code ?? (e as Error).message}`);
  }
}

export function registerInit(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('init')
    .argument('[dir]', 'the folder to create the project in (default: the current folder)')
    .description('start a model project: package.json, tsconfig, an example scenario on faultline/models, a README and a CI workflow')
    .option('--force', 'write into a folder that is not empty (files of the same names are replaced)')
    .option('--shards <n>', 'a CI workflow that gates over a matrix of N shards and merges them (default: one job)')
    .option('--faultline <spec>', `the faultline dependency in package.json: a version range (default ${VERSIONS.faultline}) or a path to a clone or tarball`)
    .addHelpText(
      'after',
      '\nExit codes: 0 written, 2 bad input (the folder is not empty, or cannot be written).\n\n' +
        'Examples:\n  faultline init my-models\n  faultline init my-models --shards 4\n  faultline init . --force\n  faultline init my-models --faultline file:../faultline',
    )
    .action((given: string | undefined, flags: InitFlags) => {
      const dir = given ?? '.';
      const root = resolve(io.cwd, dir);
      const existing = entries(root, dir);
      // `init my.scenario.ts` (a file meant): a project folder named like a module would surprise everyone.
      if (existing.length === 0 && /\.([mc]?[jt]s|json)$/.test(dir)) {
        throw new UsageError(`init creates a project folder, and '${dir}' is named like a file; name a folder (faultline init my-models)`);
      }
      if (existing.length > 0 && !flags.force) {
        throw new UsageError(
          `'${dir}' is not empty (${existing.length} entr${existing.length === 1 ? 'y' : 'ies'}); init writes into a new or empty folder (--force to write there anyway)`,
        );
      }
      const shards = flags.shards === undefined ? 1 : Number(flags.shards);
      if (!/^\d+$/.test(flags.shards ?? '1') || shards < 1 || shards > 64)
        throw new UsageError(`--shards must be a whole number from 1 to 64, not '${flags.shards}'`);
      const files = projectFiles(packageName(root), flags.faultline ?? VERSIONS.faultline, shards);
      for (const [path, text] of files) {
        const full = join(root, path);
        try {
          mkdirSync(dirname(full), { recursive: true });
          writeFileSync(full, text);
        } catch (e) {
          throw new UsageError(`cannot write '${join(dir, path)}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      }
      const where = root === resolve(io.cwd) ? '.' : shownPath(root, io.cwd);
      const cd = where === '.' ? [] : [`  cd ${where}`];
      io.stdout(
        [
          `Created a faultline model project in ${where === '.' ? 'the current folder' : `${where}/`}:`,
          ...[...files.keys()].map((f) => `  ${f}`),
          '',
          'Next:',
          ...cd,
          '  npm install',
          `  npx faultline check ${EXAMPLE}`,
          '  npx faultline gate scenarios',
          '',
        ].join('\n'),
      );
      done(EXIT.OK);
    });
}
