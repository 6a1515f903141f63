// Host tier: runs test/host/suite inside a real VS Code extension host — code-server's — driven by
// headless Chromium; then packages the .vsix, installs it into the same code-server with
// --install-extension, and runs test/host/installed against the installed copy. Prints results live
// and ends with exactly one line "host: N passed, N failed"; exits non-zero when a test fails, none
// ran, or anything times out. Recipe and reasons: ../shared/notes/host-testing.md, test/host/README.md.
//
// Usage: node test/host/run.mjs [--grep TEXT] [--vsix FILE | --no-vsix] [--no-build] [--keep]
//                               [--timeout SECONDS]
//   --grep     only suite tests whose full title contains TEXT (the vsix phase still runs unless --no-vsix)
//   --vsix     install this .vsix instead of packaging one (npm run package) first
//   --no-vsix  skip the vsix phase (quick iterations on the suite; never in CI)
//   --no-build skip `node scripts/build.mjs` (dist/ is already fresh)
//   --keep     keep the temporary workspace/profile folders and print where they are
//   --timeout  seconds each workbench session may take (default 600, or $HOST_TEST_TIMEOUT_S)
//   --startup-timeout  seconds the extension host may take to start the suite (default 150; one retry)
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { ensureTools } from './harness/tools.mjs';
import { killTree } from './harness/processes.mjs';
import { startBridge } from './harness/bridge.mjs';
import {
  Tally,
  build,
  bundleDir,
  bundleSuite,
  runDir,
  checkVsixInstall,
  cliArgs,
  collectLogs,
  freePort,
  makeSandbox,
  packageVsix,
  resultsDir,
  root,
  say,
  withTimeout,
  writeHarnessConfig,
} from './harness/common.mjs';

const { flag, value } = cliArgs();
// The whole suite's bound. Flow tests (a one-epoch fine-tune, an inspect of a generated dataset)
// take minutes on a shared 2-core machine; HOST_TEST_TIMEOUT_S sets it for `npm test` runs.
const timeoutS = Number(value('--timeout') ?? process.env.HOST_TEST_TIMEOUT_S ?? 600);
// How long the extension host may take to start the suite (its first bridge event). On a starved
// machine the workbench's connection to the extension host can drop during start-up and never run
// the tests; that session is then retried once with a fresh code-server, and says so.
const startupS = Number(value('--startup-timeout') ?? 150);
const grep = value('--grep');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const tally = new Tally();

let codeServer;
let browser;
let bridge;
let currentPage;
let sandbox;

function codeServerArgs(tools) {
  return [
    tools.codeServerEntry,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    sandbox.userDataDir,
    '--extensions-dir',
    sandbox.extensionsDir,
  ];
}

const toolEnv = (tools) => ({ ...process.env, PATH: `${join(tools.nodeHome, 'bin')}:${process.env.PATH}` });

async function startCodeServer(tools, logName) {
  const port = await freePort();
  const log = join(resultsDir, logName);
  const child = spawn(
    tools.node,
    [...codeServerArgs(tools), '--bind-addr', `127.0.0.1:${port}`, '--vscode-option', 'enable-smoke-test-driver'],
    { cwd: sandbox.tmp, env: toolEnv(tools), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  const keep = (c) => {
    text += c;
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(log, text);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  codeServer = child;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null)
      throw new Error(`code-server exited (${child.exitCode}) during start-up; see ${log}\n${text.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 60 s; see ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  say(`code-server ${child.pid} on 127.0.0.1:${port}`);
  return port;
}

async function stopCodeServer() {
  if (codeServer) await killTree(codeServer.pid);
  codeServer = undefined;
}

/**
 * Opens the workbench with `extensionDevelopmentPath` and the tests entry `testsEntry`; resolves
 * with the code the test runner passed to codeAutomationExit. `tag` names the saved artefacts.
 */
async function runWorkbench(port, developmentPath, testsEntry, tag) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(developmentPath)],
    ['extensionTestsPath', remote(testsEntry)],
  ];
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(sandbox.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
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
  try {
    // The workbench's own exit call is what we wait for; a slow page load on a busy machine is not a failure.
    await page.goto(url, { waitUntil: 'commit', timeout: timeoutS * 1000 });
    const started = (async () => {
      const deadline = Date.now() + startupS * 1000;
      while (!tally.started && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      if (!tally.started) throw new StartupTimeout(`the extension host did not start the ${tag} suite within ${startupS} s`);
    })();
    await Promise.race([started, exited]);
    return await withTimeout(exited, timeoutS * 1000, `the ${tag} suite`);
  } finally {
    await page.screenshot({ path: join(resultsDir, `workbench-${tag}.png`) }).catch(() => undefined);
    writeFileSync(join(resultsDir, `browser-console-${tag}.log`), consoleLog.join('\n'));
    writeFileSync(join(resultsDir, `automation-${tag}.log`), automationLog.join('\n'));
    currentPage = undefined;
    await browser.close().catch(() => undefined);
    browser = undefined;
  }
}

class StartupTimeout extends Error {}

/**
 * Starts code-server, runs one mocha session in the workbench, stops code-server; records a
 * failure when the session itself breaks (no end report, exit code without a failed test, no test).
 */
async function session(tools, developmentPath, testsEntry, tag) {
  tally.ended = undefined;
  try {
    let code;
    for (let attempt = 1; ; attempt++) {
      tally.started = false;
      const port = await startCodeServer(tools, `code-server-${tag}${attempt > 1 ? `-${attempt}` : ''}.log`);
      try {
        code = await runWorkbench(port, developmentPath, testsEntry, tag);
        break;
      } catch (e) {
        if (!(e instanceof StartupTimeout) || attempt >= 2) throw e;
        say(`${e.message} (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores); retrying with a fresh code-server`);
      } finally {
        await stopCodeServer();
      }
    }
    const ended = tally.ended;
    if (!ended)
      tally.record(
        `${tag} session completed`,
        false,
        `exited with code ${code} before reporting its end (see test-results/host/automation-${tag}.log and logs/)`,
      );
    else if (code !== 0 && ended.failures === 0)
      tally.record(
        `${tag} session exit code`,
        false,
        `codeAutomationExit(${code}) with no failed test (see test-results/host/automation-${tag}.log)`,
      );
    else if (ended.passes + ended.failures === 0) tally.record(`${tag} session ran tests`, false, 'mocha ran no test (check --grep)');
  } catch (e) {
    tally.record(`${tag} session completed`, false, e instanceof Error ? e.message : String(e));
  }
}

/** code-server's CLI on this run's profile and extensions dir; returns stdout. */
function codeServerCli(tools, cliArgv) {
  const r = spawnSync(tools.node, [...codeServerArgs(tools), ...cliArgv], {
    cwd: sandbox.tmp,
    env: toolEnv(tools),
    encoding: 'utf8',
    timeout: 180_000,
  });
  writeFileSync(join(resultsDir, `code-server-cli-${cliArgv[0].replace(/^-+/, '')}.log`), `${r.stdout}\n${r.stderr}`);
  if (r.status !== 0) throw new Error(`code-server ${cliArgv.join(' ')} exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function main() {
  // Only the copied logs are cleared: a concurrent run may be writing its artefacts here too.
  rmSync(join(resultsDir, 'logs'), { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  if (!existsSync(chromiumPath))
    throw new Error(`Chromium not found at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

  const tools = await ensureTools(root, say);
  if (!flag('--no-build')) build();
  const suiteDir = join(root, 'test/host/suite');
  const count = await bundleSuite(suiteDir, bundleDir);
  say(`bundled ${count} test files into ${relative(root, bundleDir)}/`);

  sandbox = makeSandbox();
  bridge = await startBridge({ resultsDir, getPage: async () => currentPage, onEvent: tally.onEvent });
  const common = { host: 'code-server', bridgePort: bridge.port, workspace: sandbox.workspace, userDataDir: sandbox.userDataDir };
  writeHarnessConfig(bundleDir, { ...common, grep });

  // Phase 1: the suite against the development copy (the repository).
  say('running the suite in its extension host…');
  await session(tools, root, join(bundleDir, 'index.js'), 'suite');
  const activated = collectLogs(sandbox.userDataDir).find((l) => /Embedding Lens .* activated/.test(l));
  say(activated ? `extension host log: ${activated.trim()}` : 'extension host log: no activation line (see test-results/host/logs/)');
  if (flag('--no-vsix')) return;

  // Phase 2: the packaged .vsix, installed with --install-extension, then loaded by the host.
  const title = 'vsix: installs into code-server with --install-extension and lists its commands';
  let installed;
  try {
    installed = checkVsixInstall(packageVsix(value('--vsix')), (a) => codeServerCli(tools, a), sandbox.extensionsDir);
    tally.record(title, true);
  } catch (e) {
    tally.record(title, false, e instanceof Error ? e.message : String(e));
    return;
  }
  const installedDir = join(runDir, 'installed');
  await bundleSuite(join(root, 'test/host/installed'), installedDir, join(suiteDir, 'index.ts'));
  writeHarnessConfig(installedDir, { ...common, extensionPath: join(sandbox.extensionsDir, installed.folder) });
  say('running test/host/installed against the installed .vsix…');
  // VS Code loads extension tests only for a development extension: a manifest-only probe stands in,
  // so the extension under test is the installed copy from --extensions-dir.
  await session(tools, join(root, 'test/host/installed/probe'), join(installedDir, 'index.js'), 'installed');
}

async function cleanup() {
  await browser?.close().catch(() => undefined);
  await stopCodeServer();
  await bridge?.close().catch(() => undefined);
  if (!flag('--keep')) {
    if (sandbox) rmSync(sandbox.tmp, { recursive: true, force: true });
    rmSync(runDir, { recursive: true, force: true });
  } else if (sandbox) say(`kept ${sandbox.tmp} and ${relative(root, runDir)}/`);
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, async () => {
    say(`${sig}: stopping code-server and the browser`);
    await cleanup();
    process.exit(130);
  });
}
let exitCode;
try {
  await main();
} catch (e) {
  tally.record('host harness', false, e instanceof Error ? (e.stack ?? e.message) : String(e));
} finally {
  await cleanup();
  exitCode = tally.finish('host');
}
process.exit(exitCode);
