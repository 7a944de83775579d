/**
 * Generated code is code people debug. Every function the engine writes at run time (the expand function
 * in codegen.ts, the pack/unpack/copy functions in layout.ts, the world and context view classes in
 * views.ts) goes through `compileGenerated`, which
 *
 * - appends `//# sourceURL=faultline://<system>/<what>.js`, so a stack trace through it and the debugger
 *   name the function instead of `<anonymous>` (and `node --inspect` lists it under that URL);
 * - when the environment variable `FAULTLINE_DUMP_CODE` names a directory, writes the function's text to
 *   `<dir>/<system>/<what>.js` (`<dir>` and `<system>` are created if missing; `<dir>`'s parent must
 *   exist). The file is the function exactly as V8 holds it, so a stack trace's line and column point
 *   into the file. Dumping never changes what is compiled: unset, nothing is written.
 *
 * `CodeWriter` indents, and `note` makes any name (a state, a guard, an actor) safe inside a comment.
 * Comments and whitespace cost nothing once V8 has compiled the function: optimisation and inlining go
 * by bytecode size, not by source length.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The environment variable that dumps every generated function into a directory. */
export const DUMP_CODE_ENV = 'FAULTLINE_DUMP_CODE';

/** Writing a dump failed (an unwritable directory, say): bad input, not a bug. */
export class CodeDumpError extends Error {
  override name = 'CodeDumpError';
}

/** Lines of generated source, indented two spaces per open block. */
export class CodeWriter {
  private readonly lines: string[] = [];
  private depth = 0;

  constructor(private readonly base = 0) {}

  line(s: string): void {
    this.lines.push('  '.repeat(this.base + this.depth) + s);
  }
  /** A line that opens a block: the lines after it are indented one more step. */
  open(s: string): void {
    this.line(s);
    this.depth++;
  }
  /** A line that closes one block and opens the next (`} catch (err) {`). */
  reopen(s: string): void {
    this.depth--;
    this.open(s);
  }
  /** Closes the innermost block with `s` (default `}`). */
  close(s = '}'): void {
    this.depth--;
    this.line(s);
  }
  blank(): void {
    this.lines.push('');
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/** Any text made safe for a `/* ... *\/` or `// ...` comment: one line, no comment terminator. */
export function note(s: string): string {
  return s.replace(/\*\//g, '* /').replace(/[\r\n\u2028\u2029]+/g, ' ');
}

/** A JavaScript identifier built from a name: other characters become `_`. */
export function identifier(s: string): string {
  const id = s.replace(/[^A-Za-z0-9_$]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Za-z_$]/.test(id) ? id : `_${id}`;
}

/** A system or function name as it appears in a sourceURL and a dump path: no whitespace, no `/`, no `..`. */
function urlPart(s: string): string {
  const part = s.replace(/[^A-Za-z0-9._:@=,+-]+/g, '_');
  return part === '' || /^\.+$/.test(part) ? '_' : part;
}

/** `faultline://<system>/<what>.js`: the name a generated function carries in stack traces. */
export function sourceUrl(system: string, what: string): string {
  return `faultline://${urlPart(system)}/${urlPart(what)}.js`;
}

/**
 * `new Function(...params, body)` with a sourceURL, dumped when FAULTLINE_DUMP_CODE is set. `body` is the
 * function's body as it should read: indented, commented.
 */
export function compileGenerated<F>(system: string, what: string, params: readonly string[], body: string): F {
  const fn = build(system, what, params, body);
  const dir = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[DUMP_CODE_ENV];
  if (dir) dumpCode(dir, system, what, String(fn));
  return fn as F;
}

/** The text `compileGenerated` would compile and dump, without dumping it. */
export function generatedSource(system: string, what: string, params: readonly string[], body: string): string {
  return String(build(system, what, params, body));
}

function build(system: string, what: string, params: readonly string[], body: string): unknown {
  return new Function(...params, `${body}\n//# sourceURL=${sourceUrl(system, what)}`);
}

function dumpCode(dir: string, system: string, what: string, text: string): void {
  const folder = join(dir, urlPart(system));
  const file = join(folder, `${urlPart(what)}.js`);
  try {
    // One level at a time: Node's recursive mkdir never returns for some paths (under /proc, say).
    for (const d of [dir, folder]) {
      try {
        mkdirSync(d);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    writeFileSync(file, text + '\n');
  } catch (e) {
    throw new CodeDumpError(
      `${DUMP_CODE_ENV}=${dir}: cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set it to a writable directory or unset it`,
    );
  }
}
