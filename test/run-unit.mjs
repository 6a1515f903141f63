// Runs every test/unit/**/*.test.ts with Node's built-in runner; tsx compiles TypeScript on the fly
// (also in worker threads, which inherit --import). Prints the spec report, then one closing line
// "unit: N passed, N failed" read from a TAP copy of the same run. Extra args go to `node --test`.
import { readdirSync, statSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'helpers' || name === 'fixtures' ? [] : find(p);
    return name.endsWith('.test.ts') ? [p] : [];
  });
}

const filter = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'));
let files = find('test/unit').sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no unit tests found under test/unit');
  process.exit(1);
}
// The engine imports the compiled WebAssembly kernels (git-ignored, generated from .wat).
const kernels = spawnSync(process.execPath, ['scripts/kernels.mjs'], { stdio: 'inherit' });
if (kernels.status !== 0) process.exit(1);
mkdirSync('test-results', { recursive: true });
// One TAP file per run: concurrent runs (several terminals, CI retries) must not count each other's tests.
const tap = `test-results/unit-${process.pid}.tap`;
const r = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...passThrough,
    ...files,
  ],
  { stdio: 'inherit' },
);
const text = readFileSync(tap, 'utf8');
rmSync(tap, { force: true });
const count = (key) => Number((text.match(new RegExp(`^# ${key} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
const passed = count('pass');
const failed = count('fail') + count('cancelled');
console.log(`unit: ${passed} passed, ${failed} failed`);
process.exit(r.status !== 0 || failed > 0 || passed === 0 ? 1 : 0);
