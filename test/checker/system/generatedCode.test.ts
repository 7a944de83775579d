/**
 * Generated code is debuggable (checker/system/generatedCode.ts): every generated function carries a
 * `//# sourceURL=faultline://<system>/<what>.js`, so a stack trace through it names it; FAULTLINE_DUMP_CODE
 * writes each one to `<dir>/<system>/<what>.js`, and the line a stack trace names is the line of the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { setup } from 'xstate';
import { compileSystem, int, type SystemSpec } from '../../../checker/index.js';
import { compileExpand, expandSource } from '../../../checker/system/codegen.js';
import { CodeDumpError, CodeWriter, DUMP_CODE_ENV, identifier, note, sourceUrl } from '../../../checker/system/generatedCode.js';
import { Stepper } from '../../../checker/system/step.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-dump-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => {
  delete process.env[DUMP_CODE_ENV];
});

interface W {
  x: number;
}

/** One actor whose guard `boom` throws once x reaches 1. */
function throwing(): SystemSpec<W> {
  const machine = setup({
    types: { context: {} as { n: number }, events: {} as { type: 'tick'; choice: number; world: W } },
    guards: {
      boom: ({ event }) => {
        if (event.world.x > 0) throw new Error('boom');
        return true;
      },
    },
    actions: {
      bump: ({ event }) => {
        event.world.x = 1;
      },
    },
  }).createMachine({ id: 'ticker', initial: 'run', context: { n: 0 }, states: { run: { on: { tick: { guard: 'boom', actions: 'bump' } } } } });
  return { name: 'throwing', world: { x: int(0, 1) }, actors: [{ name: 'CPU0', machine, fields: { n: int(0, 1) } }], properties: [] };
}

/** Expands the state x = 1 and returns the error the guard threw. */
function guardError(spec: SystemSpec<W>): Error {
  const system = compileSystem(spec);
  const stepper = new Stepper(system);
  const expand = compileExpand(system, stepper);
  stepper.load(system.initial);
  stepper.S[0] = 1;
  let error: unknown;
  expand(
    () => false,
    (e) => {
      error = e;
      return true;
    },
  );
  assert.ok(error instanceof Error, 'the guard threw');
  return error;
}

describe('sourceURL', () => {
  it("a throwing guard's stack names the generated expand function by its URL", () => {
    const stack = guardError(throwing()).stack ?? '';
    assert.match(stack, /at expand \(faultline:\/\/throwing\/expand\.js:\d+:\d+\)/);
  });

  it('every generated function carries its URL: expand, pack, unpack, copy, the world and context views', () => {
    process.env[DUMP_CODE_ENV] = join(scratch, 'urls');
    const system = compileSystem(throwing());
    compileExpand(system, new Stepper(system));
    const dir = join(scratch, 'urls', 'throwing');
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['context-ticker.js', 'copy.js', 'expand.js', 'pack.js', 'unpack.js', 'world.js']);
    for (const f of files) assert.ok(readFileSync(join(dir, f), 'utf8').includes(`//# sourceURL=faultline://throwing/${f}`), f);
  });

  it('names a system or function unfit for a URL or a path by replacing what does not fit', () => {
    assert.equal(sourceUrl('retry-ring:ring', 'expand'), 'faultline://retry-ring:ring/expand.js');
    assert.equal(sourceUrl('my system/v2', 'context-m'), 'faultline://my_system_v2/context-m.js');
    assert.equal(sourceUrl('..', 'x'), 'faultline://_/x.js');
  });
});

describe('FAULTLINE_DUMP_CODE', () => {
  it('writes each function as V8 holds it: the line a stack trace names is the line of the dumped file', () => {
    process.env[DUMP_CODE_ENV] = join(scratch, 'lines');
    const error = guardError(throwing());
    const [, line, column] = /faultline:\/\/throwing\/expand\.js:(\d+):(\d+)/.exec(error.stack ?? '')!;
    const text = readFileSync(join(scratch, 'lines', 'throwing', 'expand.js'), 'utf8');
    const at = text.split('\n')[Number(line) - 1]!;
    assert.match(
      at,
      /if \(\(g = guard_boom\(args_CPU0\)\) === true \|\| \(g !== false && truth\(g, "guard \[boom\] of machine 'ticker'"\)\)\) t = 0; \/\/ \[boom\] stays/,
    );
    assert.equal(at.slice(Number(column) - 1).startsWith('guard_boom('), true, `column ${column} of: ${at}`);
  });

  it('the dumped expand.js is what expandSource (faultline show --code) prints', () => {
    process.env[DUMP_CODE_ENV] = join(scratch, 'same');
    const system = compileSystem(throwing());
    compileExpand(system, new Stepper(system));
    assert.equal(readFileSync(join(scratch, 'same', 'throwing', 'expand.js'), 'utf8'), expandSource(system) + '\n');
  });

  it('a directory that cannot be written is a CodeDumpError naming the variable and the file, not a crash', () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    process.env[DUMP_CODE_ENV] = file;
    assert.throws(
      () => compileSystem(throwing()),
      (e: unknown) =>
        e instanceof CodeDumpError &&
        e.message ===
          `${DUMP_CODE_ENV}=${file}: cannot write ${join(file, 'throwing', 'context-ticker.js')} (ENOTDIR); set it to a writable directory or unset it`,
    );
  });

  it('unset, nothing is written', () => {
    const before = readdirSync(scratch).length;
    compileSystem(throwing());
    assert.equal(readdirSync(scratch).length, before);
  });
});

describe('CodeWriter, note, identifier', () => {
  it('indents two spaces per open block', () => {
    const code = new CodeWriter();
    code.open('if (a) {');
    code.line('b();');
    code.reopen('} else {');
    code.line('c();');
    code.close();
    assert.equal(code.text(), 'if (a) {\n  b();\n} else {\n  c();\n}');
  });

  it('note keeps any name inside a comment; identifier makes one a JavaScript name', () => {
    assert.equal(note('a*/b\nc'), 'a* /b c');
    assert.equal(identifier('(ready and not busy)'), 'ready_and_not_busy');
    assert.equal(identifier('2nd-pass'), '_2nd_pass');
  });
});
