/**
 * SPIN's leader0 and sort examples, side by side: faultline with the `chan()` field and with hand-shifted
 * world arrays, each without reduction and with partial-order reduction (`reduce: 'por'`), SPIN without
 * reduction (`-DNOREDUCE`) and SPIN with its partial-order reduction (its default). Prints a Markdown
 * table; each faultline row is one check in this process (compile included), each SPIN row `spin -a` +
 * `cc -O2` + pan (pan alone in brackets). Times are CPU seconds (user + system: process.cpuUsage() here,
 * /usr/bin/time for SPIN's programs), so a loaded machine changes them little; wall seconds beside them.
 * The unreduced rows run first: the reduced search calls the model's functions with a second kind of view,
 * which would slow later unreduced runs in this process.
 *   node --import tsx bench/models/run.ts
 */
import { check, compileSystem, type SystemSpec } from '../../checker/index.js';
import { leader0 } from './leader0.js';
import { sort } from './sort.js';
import { runSpinExample, type SpinExample } from './spin.js';

const models: { name: SpinExample; defines: Record<string, number>; build: (style: 'chan' | 'array') => SystemSpec }[] = [
  { name: 'leader0', defines: { N: 5, I: 3, L: 10 }, build: (style) => leader0(style) },
  { name: 'sort', defines: { N: 7, L: 10 }, build: (style) => sort(style) },
];

const rows: string[] = ['| model | run | verdict | states | transitions | CPU seconds | wall seconds |', '|---|---|---|---:|---:|---:|---:|'];
const n = (x: number): string => x.toLocaleString('en-US');
for (const m of models) {
  for (const reduce of ['none', 'por'] as const) {
    for (const style of ['chan', 'array'] as const) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = check(compileSystem(m.build(style)), { reduce });
      const wall = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      const cpu = (c.user + c.system) / 1e6;
      const how = `${style === 'chan' ? 'chan()' : 'hand-shifted arrays'}${reduce === 'por' ? ', POR' : ''}`;
      rows.push(`| ${m.name} | faultline, ${how} | ${r.verdict} | ${n(r.stats.states)} | ${n(r.stats.transitions)} | ${cpu.toFixed(2)} | ${wall.toFixed(2)} |`);
    }
  }
  for (const reduce of [false, true]) {
    const r = runSpinExample(m.name, m.defines, { reduce, cpu: true });
    const verdict = r.errors === 0 ? 'holds' : `${r.errors} errors`;
    rows.push(
      `| ${m.name} | SPIN ${reduce ? 'with POR (default)' : '-DNOREDUCE'} | ${verdict} | ${n(r.states)} | ${n(r.transitions - 1)} | ${r.totalCpuSeconds!.toFixed(2)} (pan ${r.panCpuSeconds!.toFixed(2)}) | ${r.totalSeconds.toFixed(2)} (pan ${r.panSeconds.toFixed(2)}) |`,
    );
  }
}
console.log(rows.join('\n'));
console.log('\nSPIN transitions are shown as faultline counts them (pan\'s "stored + matched" less the initial state).');
