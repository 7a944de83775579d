/**
 * cli/ is a client of the engine's public API: it imports checker/, models/ and scenarios/ through their
 * index.ts only, and `npm run lint` (eslint.config.js, no-restricted-imports) rejects a deep import.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { REPO_ROOT } from '../scenarios/allScenarios.js';

const eslint = new ESLint({ cwd: REPO_ROOT });

async function restricted(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('cli/ uses only the public checker API', () => {
  it('a deep import into checker/, scenarios/ or models/ from cli/ fails the lint, naming the rule', async () => {
    const code = [
      "import { replay } from '../../checker/search/replay.js';",
      "import type { GateReport } from '../../scenarios/gate.js';",
      "import { mmu } from '../../models/mmu/index.js';",
      'export const used = [replay, mmu];',
      'export type Used = GateReport;',
      '',
    ].join('\n');
    const messages = await restricted(code, 'cli/commands/probe.ts');
    assert.equal(messages.length, 3);
    for (const m of messages) assert.match(m, /cli\/ imports checker\/, models\/ and scenarios\/ through their index\.js only/);
  });

  it("the index.js of each is allowed, and outside cli/ deep imports are not this rule's business", async () => {
    const code =
      "import { check } from '../../checker/index.js';\nimport { scenarios } from '../../scenarios/index.js';\nexport const used = [check, scenarios];\n";
    assert.deepEqual(await restricted(code, 'cli/commands/probe.ts'), []);
    assert.deepEqual(await restricted("import { replay } from '../../checker/search/replay.js';\nexport const used = replay;\n", 'test/cli/probe.ts'), []);
  });
});
