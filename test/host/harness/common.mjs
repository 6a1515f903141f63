// Pieces both host runners share (code-server: run.mjs; @vscode/test-electron: run-electron.mjs):
// bundling the suite, the fresh profile and workspace, the result tally and the .vsix check.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import * as esbuild from 'esbuild';

export const root = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');
export const resultsDir = join(root, 'test-results', 'host');
// Per run: engineers and CI may run the tier concurrently, and the suite finds its runner's bridge
// through the harness.json beside the bundle — a shared folder would cross the wires.
export const runDir = join(root, 'out', 'host-tests', `run-${process.pid}`);
export const bundleDir = join(runDir, 'suite');
export const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
export const extensionId = `${pkg.publisher}.${pkg.name}`;

export const say = (m) => console.log(`[host] ${m}`);

export function cliArgs(argv = process.argv.slice(2)) {
  return {
    flag: (name) => argv.includes(name),
    value: (name) => {
      const i = argv.indexOf(name);
      return i >= 0 ? argv[i + 1] : undefined;
    },
  };
}

/** Test outcomes in order; each is printed as it arrives. */
export class Tally {
  results = [];
  record(title, ok, error) {
    this.results.push({ title, ok, error });
    const indented = String(error ?? '')
      .split('\n')
      .map((l) => `      ${l}`)
      .join('\n');
    console.log(ok ? `  ✔ ${title}` : `  ✖ ${title}\n${indented}`);
  }
  /** Prints the closing "<label>: N passed, N failed" line; returns the exit code (zero tests fail). */
  finish(label) {
    const passed = this.results.filter((r) => r.ok).length;
    const failed = this.results.length - passed;
    console.log(`${label}: ${passed} passed, ${failed} failed`);
    return failed > 0 || passed === 0 ? 1 : 0;
  }
  /** Bridge event handler: suite results stream in from the extension host. */
  onEvent = (e) => {
    this.started = true;
    if (e.type === 'pass') this.record(e.title, true);
    else if (e.type === 'fail') this.record(e.title, false, e.error);
    else if (e.type === 'pending') console.log(`  - ${e.title} (pending)`);
    else if (e.type === 'log') say(e.message);
    else if (e.type === 'end') this.ended = e;
  };
  ended = undefined;
  /** Set by the first event of a session: the extension host is running the suite. */
  started = false;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]);
}

export function files(dir, match) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p, match) : match(name) ? [p] : [];
  });
}

export function runNode(script, scriptArgs, opts = {}) {
  return spawnSync(process.execPath, [script, ...scriptArgs], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...opts,
  });
}

export function build() {
  const r = runNode(join(root, 'scripts/build.mjs'), []);
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
  if (!existsSync(join(root, pkg.main))) throw new Error(`${pkg.main} missing after the build`);
}

/**
 * Bundles `index` (default: suiteDir/index.ts) and every *.test.ts under `suiteDir` into `outDir`,
 * one file each. mocha and every npm package stay external: the extension host resolves them from
 * the repository's node_modules, since out/ sits inside the repository.
 */
export async function bundleSuite(suiteDir, outDir, index = join(suiteDir, 'index.ts')) {
  rmSync(outDir, { recursive: true, force: true });
  const entries = files(suiteDir, (n) => n.endsWith('.test.ts')).filter((f) => !relative(suiteDir, f).startsWith('helpers'));
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { index, ...Object.fromEntries(entries.map((f) => [relative(suiteDir, f).replace(/\.ts$/, ''), f])) },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  // Tests that call the engine directly (to compute expected numbers) spawn its worker threads via
  // workerPath(), which looks in <bundle dir>/workers/<name>.js: build them there as dist/ has them.
  const workerDir = join(root, 'src/core/workers');
  const workers = existsSync(workerDir) ? readdirSync(workerDir).filter((f) => f.endsWith('.ts')) : [];
  if (workers.length) {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(workers.map((f) => [f.replace(/\.ts$/, ''), join(workerDir, f)])),
      outdir: join(outDir, 'workers'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      packages: 'external',
      sourcemap: 'inline',
      logLevel: 'warning',
    });
  }
  return entries.length;
}

/** The suite's harness.json (read by test/host/suite/helpers/runner.ts). */
export function writeHarnessConfig(dir, config) {
  writeFileSync(
    join(dir, 'harness.json'),
    JSON.stringify({ extensionId, extensionPath: root, repository: root, resultsDir, ...config }, null, 2),
  );
}

/** A temp folder with the workspace (copy of test/host/workspace/), a fresh profile and an empty extensions dir. */
export function makeSandbox() {
  const tmp = mkdtempSync(join(tmpdir(), 'embedding-lens-host-'));
  const workspace = join(tmp, 'workspace');
  const userDataDir = join(tmp, 'user-data');
  const extensionsDir = join(tmp, 'extensions');
  cpSync(join(root, 'test/host/workspace'), workspace, { recursive: true });
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  // Telemetry off: otherwise a built-in extension's failed network call can surface inside tests.
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'workbench.startupEditor': 'none',
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': false,
        'chat.disableAIFeatures': true,
      },
      null,
      2,
    ),
  );
  mkdirSync(extensionsDir, { recursive: true });
  return { tmp, workspace, userDataDir, extensionsDir };
}

/** The lines of the extension-host logs and the extension's own log channel that mention it. */
export function collectLogs(userDataDir) {
  const logs = join(userDataDir, 'logs');
  if (existsSync(logs)) cpSync(logs, join(resultsDir, 'logs'), { recursive: true });
  const hostLogs = files(logs, (n) => n === 'remoteexthost.log' || n === 'exthost.log');
  const channel = files(logs, (n) => n.endsWith('Embedding Lens.log'));
  return [...hostLogs, ...channel]
    .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
    .filter((l) => l.includes(extensionId) || l.includes('Embedding Lens'));
}

/** Builds the .vsix with scripts/package.mjs (or takes `given`); returns its path. */
export function packageVsix(given) {
  if (given) return given;
  say('packaging the .vsix (npm run package)…');
  const out = join(runDir, 'vsix');
  const r = runNode(join(root, 'scripts/package.mjs'), ['--out', out], { timeout: 900_000 });
  writeFileSync(join(resultsDir, 'package.log'), `${r.stdout}\n${r.stderr}`);
  if (r.status !== 0)
    throw new Error(
      `npm run package failed (${r.status ?? r.signal}); see test-results/host/package.log\n${(r.stdout + r.stderr).slice(-3000)}`,
    );
  process.stdout.write(
    r.stdout
      .split('\n')
      .filter((l) => l.startsWith('[package]'))
      .map((l) => `${l}\n`)
      .join(''),
  );
  const vsix = files(out, (n) => n === `${pkg.name}-${process.platform}-${process.arch}-${pkg.version}.vsix`)[0];
  if (!vsix) throw new Error(`npm run package wrote no .vsix into ${out}`);
  return vsix;
}

/**
 * Installs `vsix` with an editor CLI (`cli(args)` → stdout; code-server's or VS Code's) and checks
 * it is listed with its version and that the installed manifest contributes package.json's commands.
 */
export function checkVsixInstall(vsix, cli, extensionsDir) {
  cli(['--install-extension', vsix, '--force']);
  const listed = cli(['--list-extensions', '--show-versions']);
  const want = `${extensionId}@${pkg.version}`;
  if (
    !listed
      .split('\n')
      .map((l) => l.trim())
      .includes(want)
  )
    throw new Error(`--list-extensions does not list ${want}:\n${listed}`);
  const folder = readdirSync(extensionsDir).find((d) => d.toLowerCase().startsWith(`${extensionId}-${pkg.version}`));
  if (!folder) throw new Error(`no ${extensionId}-${pkg.version}* folder in ${extensionsDir}: ${readdirSync(extensionsDir).join(', ')}`);
  const installed = JSON.parse(readFileSync(join(extensionsDir, folder, 'package.json'), 'utf8'));
  const ids = (m) => (m.contributes?.commands ?? []).map((c) => c.command).sort();
  if (JSON.stringify(ids(installed)) !== JSON.stringify(ids(pkg))) {
    throw new Error(`installed commands ${ids(installed).join(', ')} differ from package.json's ${ids(pkg).join(', ')}`);
  }
  if (!existsSync(join(extensionsDir, folder, installed.main))) throw new Error(`installed extension lacks its main ${installed.main}`);
  say(`installed ${folder} (${ids(installed).length} commands: ${ids(installed).join(', ')})`);
  return { folder, commands: ids(installed) };
}
