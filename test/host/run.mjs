// Host tier: runs test/host/suite inside a real VS Code extension host — code-server's — driven by
// headless Chromium, then installs the packaged .vsix into the same code-server. Prints the suite
// live and ends with exactly one line "host: N passed, N failed"; exits non-zero when a test
// fails, none ran, or anything times out. Recipe and reasons: ../shared/notes/host-testing.md and
// test/host/README.md.
//
// Usage: node test/host/run.mjs [--grep TEXT] [--vsix FILE | --no-vsix] [--no-build] [--keep]
//                               [--timeout SECONDS]
//   --grep     only suite tests whose full title contains TEXT (the vsix test still runs unless --no-vsix)
//   --vsix     install this .vsix instead of packaging one (npm run package) first
//   --no-vsix  skip the vsix test (for quick iterations on the suite; never in CI)
//   --no-build skip `node scripts/build.mjs` (dist/ is already fresh)
//   --keep     keep the temporary workspace/profile folders and print where they are
//   --timeout  seconds the suite may take inside the host (default 300)
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { ensureTools } from './harness/tools.mjs';
import { killTree } from './harness/processes.mjs';
import { startBridge } from './harness/bridge.mjs';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const timeoutS = Number(value('--timeout') ?? 300);
const grep = value('--grep');
const resultsDir = join(root, 'test-results', 'host');
const bundleDir = join(root, 'out', 'host-tests');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const extensionId = `${pkg.publisher}.${pkg.name}`;
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const say = (m) => console.log(`[host] ${m}`);
const results = []; // { title, ok, error? }
let codeServer;
let browser;
let bridge;
let tmp;

function record(title, ok, error) {
  results.push({ title, ok, error });
  console.log(ok ? `  ✔ ${title}` : `  ✖ ${title}\n${indent(error ?? '')}`);
}

function indent(text) {
  return String(text).split('\n').map((l) => `      ${l}`).join('\n');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]);
}

function files(dir, match) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p, match) : match(name) ? [p] : [];
  });
}

/** Bundles index.ts and every *.test.ts of the suite, one file each (mocha stays external). */
async function bundleSuite() {
  rmSync(bundleDir, { recursive: true, force: true });
  const suiteDir = join(root, 'test/host/suite');
  const entries = files(suiteDir, (n) => n.endsWith('.test.ts')).filter((f) => !relative(suiteDir, f).startsWith('helpers'));
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [join(suiteDir, 'index.ts'), ...entries],
    outbase: suiteDir,
    outdir: bundleDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return entries.length;
}

/** A fresh profile: telemetry off (a built-in extension's failed network call can surface in tests). */
function makeProfile(dir) {
  mkdirSync(join(dir, 'User'), { recursive: true });
  writeFileSync(
    join(dir, 'User', 'settings.json'),
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
}

function codeServerArgs(tools, userDataDir, extensionsDir) {
  return [
    tools.codeServerEntry,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
  ];
}

function toolEnv(tools) {
  return { ...process.env, PATH: `${join(tools.nodeHome, 'bin')}:${process.env.PATH}` };
}

async function startCodeServer(tools, userDataDir, extensionsDir) {
  const port = await freePort();
  const log = join(resultsDir, 'code-server.log');
  const child = spawn(
    tools.node,
    [...codeServerArgs(tools, userDataDir, extensionsDir), '--bind-addr', `127.0.0.1:${port}`, '--vscode-option', 'enable-smoke-test-driver'],
    { cwd: tmp, env: toolEnv(tools), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  const keep = (c) => {
    text += c;
    writeFileSync(log, text);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}) during start-up; see ${log}\n${text.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 60 s; see ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, port, exited };
}

/** Opens the workbench with the development extension and the tests entry; resolves with the exit code. */
async function runSuiteInWorkbench(port, workspace) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(root)],
    ['extensionTestsPath', remote(join(bundleDir, 'index.js'))],
  ];
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const consoleLog = [];
  const automationLog = [];
  page.on('console', (m) => consoleLog.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLog.push(`[pageerror] ${e.stack ?? e.message}`));
  let exitWith;
  const exited = new Promise((resolve) => (exitWith = resolve));
  await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
    automationLog.push(`[${type}] ${Array.isArray(logArgs) ? logArgs.join(' ') : JSON.stringify(logArgs)}`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => exitWith(Number(code)));
  currentPage = page;
  const flushLogs = () => {
    writeFileSync(join(resultsDir, 'browser-console.log'), consoleLog.join('\n'));
    writeFileSync(join(resultsDir, 'automation.log'), automationLog.join('\n'));
  };
  try {
    await page.goto(url);
    const code = await withTimeout(exited, timeoutS * 1000, 'the host suite');
    return code;
  } finally {
    await page.screenshot({ path: join(resultsDir, 'workbench.png') }).catch(() => undefined);
    flushLogs();
    currentPage = undefined;
  }
}
let currentPage;

/** Copies code-server's logs and returns the extension-host log lines about our extension. */
function collectLogs(userDataDir) {
  const logs = join(userDataDir, 'logs');
  if (existsSync(logs)) cpSync(logs, join(resultsDir, 'logs'), { recursive: true });
  const hostLogs = files(logs, (n) => n === 'remoteexthost.log' || n === 'exthost.log');
  const channel = files(logs, (n) => n.endsWith('Embedding Lens.log'));
  const lines = [...hostLogs, ...channel]
    .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
    .filter((l) => l.includes(extensionId) || l.includes('Embedding Lens'));
  return lines;
}

function runNode(script, scriptArgs, opts = {}) {
  return spawnSync(process.execPath, [script, ...scriptArgs], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
}

/** Installs the .vsix with code-server's CLI into the run's extensions dir and checks what got listed. */
function vsixTest(tools, userDataDir, extensionsDir) {
  let vsix = value('--vsix');
  if (!vsix) {
    say('packaging the .vsix (npm run package)…');
    const out = join(root, 'out', 'vsix');
    const r = runNode(join(root, 'scripts/package.mjs'), ['--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    writeFileSync(join(resultsDir, 'package.log'), `${r.stdout}\n${r.stderr}`);
    if (r.status !== 0) throw new Error(`npm run package failed (${r.status}); see test-results/host/package.log\n${(r.stdout + r.stderr).slice(-3000)}`);
    process.stdout.write(r.stdout.split('\n').filter((l) => l.startsWith('[package]')).map((l) => `${l}\n`).join(''));
    vsix = files(out, (n) => n.endsWith('.vsix'))[0];
    if (!vsix) throw new Error(`npm run package wrote no .vsix into ${out}`);
  }
  const cli = (...a) => {
    const r = spawnSync(tools.node, [...codeServerArgs(tools, userDataDir, extensionsDir), ...a], {
      cwd: tmp, env: toolEnv(tools), encoding: 'utf8', timeout: 180_000,
    });
    writeFileSync(join(resultsDir, `code-server-cli-${a[0].replace(/^-+/, '')}.log`), `${r.stdout}\n${r.stderr}`);
    if (r.status !== 0) throw new Error(`code-server ${a.join(' ')} exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  cli('--install-extension', vsix, '--force');
  const listed = cli('--list-extensions', '--show-versions');
  const want = `${extensionId}@${pkg.version}`;
  if (!listed.split('\n').map((l) => l.trim()).includes(want)) throw new Error(`--list-extensions does not list ${want}:\n${listed}`);
  const folder = readdirSync(extensionsDir).find((d) => d.toLowerCase().startsWith(`${extensionId}-${pkg.version}`));
  if (!folder) throw new Error(`no ${extensionId}-${pkg.version}* folder in ${extensionsDir}: ${readdirSync(extensionsDir).join(', ')}`);
  const installed = JSON.parse(readFileSync(join(extensionsDir, folder, 'package.json'), 'utf8'));
  const ids = (m) => (m.contributes?.commands ?? []).map((c) => c.command).sort();
  if (JSON.stringify(ids(installed)) !== JSON.stringify(ids(pkg))) {
    throw new Error(`installed commands ${ids(installed).join(', ')} differ from package.json's ${ids(pkg).join(', ')}`);
  }
  const main = join(extensionsDir, folder, installed.main);
  if (!existsSync(main) && !existsSync(`${main}.js`)) throw new Error(`installed extension lacks its main ${installed.main}`);
  say(`installed ${folder} (${ids(installed).length} commands: ${ids(installed).join(', ')})`);
}

async function main() {
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

  const tools = await ensureTools(root, say);

  if (!flag('--no-build')) {
    const r = runNode(join(root, 'scripts/build.mjs'), [], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
  }
  if (!existsSync(join(root, pkg.main))) throw new Error(`${pkg.main} missing: run npm run build`);
  const testFileCount = await bundleSuite();
  say(`bundled ${testFileCount} test files into ${relative(root, bundleDir)}/`);

  tmp = mkdtempSync(join(tmpdir(), 'embedding-lens-host-'));
  const workspace = join(tmp, 'workspace');
  const userDataDir = join(tmp, 'user-data');
  const extensionsDir = join(tmp, 'extensions');
  cpSync(join(root, 'test/host/workspace'), workspace, { recursive: true });
  makeProfile(userDataDir);
  mkdirSync(extensionsDir, { recursive: true });

  let ended;
  bridge = await startBridge({
    resultsDir,
    getPage: () => currentPage,
    onEvent: (e) => {
      if (e.type === 'pass') record(e.title, true);
      else if (e.type === 'fail') record(e.title, false, e.error);
      else if (e.type === 'pending') console.log(`  - ${e.title} (pending)`);
      else if (e.type === 'log') say(e.message);
      else if (e.type === 'end') ended = e;
    },
  });
  writeFileSync(
    join(bundleDir, 'harness.json'),
    JSON.stringify({ bridgePort: bridge.port, resultsDir, workspace, userDataDir, extensionId, extensionPath: root, grep }, null, 2),
  );

  codeServer = await startCodeServer(tools, userDataDir, extensionsDir);
  say(`code-server ${codeServer.child.pid} on 127.0.0.1:${codeServer.port}; running the suite in its extension host…`);
  try {
    const code = await runSuiteInWorkbench(codeServer.port, workspace);
    if (!ended) record('host suite completed', false, `the suite exited with code ${code} before reporting its end (see test-results/host/automation.log, logs/)`);
    else if (code !== 0 && ended.failures === 0) record('host suite exit code', false, `codeAutomationExit(${code}) with no failed test (see test-results/host/automation.log)`);
  } catch (e) {
    record('host suite completed', false, e instanceof Error ? e.message : String(e));
  }
  await browser?.close().catch(() => undefined);
  browser = undefined;

  const activation = collectLogs(userDataDir);
  const activated = activation.find((l) => /Embedding Lens .* activated/.test(l));
  say(activated ? `extension host log: ${activated.trim()}` : 'extension host log: no activation line (see test-results/host/logs/)');

  // The CLI must not share the running server's profile while it writes the extensions list.
  await killTree(codeServer.child.pid);
  codeServer = undefined;

  if (!flag('--no-vsix')) {
    const title = 'vsix: installs into code-server with --install-extension and lists its commands';
    try {
      vsixTest(tools, userDataDir, extensionsDir);
      record(title, true);
    } catch (e) {
      record(title, false, e instanceof Error ? e.message : String(e));
    }
  }
}

async function cleanup() {
  await browser?.close().catch(() => undefined);
  if (codeServer) await killTree(codeServer.child.pid);
  await bridge?.close().catch(() => undefined);
  if (tmp && !flag('--keep')) rmSync(tmp, { recursive: true, force: true });
  else if (tmp) say(`kept ${tmp}`);
}

let exitCode = 1;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, async () => {
    say(`${sig}: stopping code-server and the browser`);
    await cleanup();
    process.exit(130);
  });
}
try {
  await main();
} catch (e) {
  record('host harness', false, e instanceof Error ? e.stack ?? e.message : String(e));
} finally {
  await cleanup();
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`host: ${passed} passed, ${failed} failed`);
  exitCode = failed > 0 || passed === 0 ? 1 : 0;
}
process.exit(exitCode);
