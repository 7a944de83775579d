// One test process for several test files (scripts/test.js starts it): each file named on the command line
// is imported inside a suite named by its path, so the process pays for tsx and the scenario and model
// imports once, not once per file. A file's tests and its top-level hooks (`before`, `after`, `afterEach`)
// belong to its suite, so they apply to that file only, as they do when the file runs alone. Every file is
// loaded before any test runs (they are all inside one outer suite, which runs its suites only once built),
// and the files' suites then run one after the other, so no file's top-level code runs during another's tests.
//
// What each file cost is written to the JSON file named by FAULTLINE_TEST_COSTS when the process exits,
// `{ file: { wall, cpu } }` in seconds, from the start of its suite to the start of the next one (the last to
// the exit); cpu counts this process (every thread) and the child processes it reaped (/proc/self/stat).
// The imports, done together first, are the batch's and are charged to no file.
import { writeFileSync } from 'node:fs';
import { before, describe } from 'node:test';
import { pathToFileURL } from 'node:url';
import { childCpu } from './childCpu.js';

/** CPU seconds of this process (every thread) and of the children it has reaped. */
function cpuSeconds() {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6 + (childCpu() ?? 0);
}

const files = process.argv.slice(2);
/** When each file's suite started: [file, wall ms, cpu s], in order. */
const starts = [];
const out = process.env.FAULTLINE_TEST_COSTS;
if (out) {
  process.on('exit', () => {
    const costs = {};
    const marks = [...starts, ['', performance.now(), cpuSeconds()]];
    for (let i = 0; i + 1 < marks.length; i++) {
      const [file, wall, cpu] = marks[i];
      costs[file] = { wall: (marks[i + 1][1] - wall) / 1000, cpu: marks[i + 1][2] - cpu };
    }
    writeFileSync(out, `${JSON.stringify(costs)}\n`);
  });
}

describe(`${files.length} test files in one process`, async () => {
  const loads = [];
  for (const file of files) {
    // import() is called synchronously in the suite's function: the tests and hooks the file declares
    // while it loads are the suite's.
    describe(file, () => {
      before(() => void starts.push([file, performance.now(), cpuSeconds()]));
      const load = import(pathToFileURL(file).href);
      loads.push(load);
      return load;
    });
  }
  // The outer suite is built, and runs its first file's suite, only when every file has loaded.
  await Promise.allSettled(loads);
});
