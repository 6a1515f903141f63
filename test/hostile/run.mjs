// The hostile tier: the catalogue of bad and malicious inputs (test/hostile/cases/*.mjs) run one by
// one against the built CLI. Each case checks the exit code, the message, time and memory bounds,
// and that every pre-existing file is byte-identical afterwards (harness.mjs). Prints one line per
// case and last "hostile: N passed, N failed"; details of failures go to test-results/hostile/.
// Usage: node test/hostile/run.mjs [name-substring ...]   (assumes `npm run build` ran)
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAssets, isRoot, root, runCase } from './harness.mjs';

const filters = process.argv.slice(2);
const outDir = join(root, 'test-results/hostile');
mkdirSync(outDir, { recursive: true });
for (const f of readdirSync(outDir)) if (f.startsWith('FAILED-')) rmSync(join(outDir, f));
if (!existsSync(join(root, 'dist/cli.js'))) {
  console.error('dist/cli.js is missing: run `npm run build` first');
  console.log('hostile: 0 passed, 1 failed');
  process.exit(1);
}

const casesDir = join(root, 'test/hostile/cases');
const all = [];
for (const file of readdirSync(casesDir)
  .filter((f) => f.endsWith('.mjs'))
  .sort()) {
  const mod = await import(join(casesDir, file));
  for (const c of mod.cases) all.push({ ...c, file });
}
const names = new Set();
for (const c of all) {
  if (names.has(c.name)) throw new Error(`two hostile cases are named "${c.name}"`);
  names.add(c.name);
}
const chosen = filters.length ? all.filter((c) => filters.some((f) => c.name.includes(f) || c.file.includes(f))) : all;
if (chosen.length === 0) {
  console.error(`no hostile case matches ${filters.join(', ')}`);
  console.log('hostile: 0 passed, 1 failed');
  process.exit(1);
}

// A folder of this run's own, so two runs at once (two terminals) never share assets or cases.
const runDir = mkdtempSync(join(outDir, 'run-'));
chmodSync(runDir, 0o755); // mkdtemp makes it 0700: cases that run the CLI as nobody must reach their folder
const assets = buildAssets(join(runDir, 'assets'));
console.log(`hostile: ${chosen.length} cases (${isRoot ? 'as root; permission cases run the CLI as nobody' : 'not root'})`);
let passed = 0;
let failed = 0;
for (const [i, c] of chosen.entries()) {
  const { ok, problems, result } = await runCase(c, { assets, workRoot: join(runDir, 'work') });
  const took = result ? ` (${result.seconds.toFixed(1)} s, ${result.peakRssMB.toFixed(0)} MB)` : '';
  if (ok) {
    passed++;
    console.log(`✔ ${c.name}${took}`);
    continue;
  }
  failed++;
  console.log(`✖ ${c.name}${took}\n    ${problems.join('\n    ')}`);
  const tail = (s) => (s ?? '').split('\n').slice(-15).join('\n      ');
  if (result) console.log(`    exit ${result.code}; stderr:\n      ${tail(result.stderr)}`);
  writeFileSync(
    join(outDir, `FAILED-${String(i).padStart(3, '0')}.txt`),
    [
      `case: ${c.name} (${c.file})`,
      ...problems,
      '',
      `exit: ${result?.code}`,
      '--- stdout',
      result?.stdout ?? '',
      '--- stderr',
      result?.stderr ?? '',
    ].join('\n'),
  );
}
rmSync(runDir, { recursive: true, force: true });
console.log(`hostile: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
