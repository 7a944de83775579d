// A test reporter for scripts/testBatch.js: one line per test file whose suite failed (its path is the
// suite's name, inside the batch's one outer suite), so scripts/test.js can name the failed files of a batch.
export default async function* failedFiles(source) {
  for await (const event of source) {
    if (event.type === 'test:fail' && event.data.nesting === 1) yield `${event.data.name}\n`;
  }
}
