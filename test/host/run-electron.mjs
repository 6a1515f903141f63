// The same host suite through @vscode/test-electron, for machines that can download VS Code
// desktop (it cannot here: update.code.visualstudio.com is unreachable, so CI uses run.mjs).
// `npm run test:electron` builds first. VS Code is started with a remote-debugging port so the
// runner can attach playwright to the workbench over CDP: the suite's webview/screenshot/palette
// requests through the bridge then work as under code-server. Then the .vsix is installed with
// VS Code's own CLI and checked as in run.mjs. Ends with "electron: N passed, N failed".
//
// Usage: node test/host/run-electron.mjs [--grep TEXT] [--vsix FILE | --no-vsix] [--keep]
//   VSCODE_VERSION (env) picks the VS Code build to download (default: stable).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { runTests, downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath } from '@vscode/test-electron';
import { startBridge } from './harness/bridge.mjs';
import {
  Tally,
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
  writeHarnessConfig,
} from './harness/common.mjs';

const { flag, value } = cliArgs();
const grep = value('--grep');
const tally = new Tally();
let sandbox;
let bridge;
let cdp;

/** The workbench page of the running VS Code, attached over CDP on first use. */
async function workbenchPage(cdpPort) {
  cdp ??= await chromium.connectOverCDP(`http://127.0.0.1:${cdpPort}`);
  for (const context of cdp.contexts()) {
    const page = context.pages().find((p) => p.url().includes('workbench'));
    if (page) return page;
  }
  return undefined;
}

async function main() {
  // Only the copied logs are cleared: a concurrent run may be writing its artefacts here too.
  rmSync(join(resultsDir, 'logs'), { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const count = await bundleSuite(join(root, 'test/host/suite'), bundleDir);
  say(`bundled ${count} test files into ${relative(root, bundleDir)}/`);

  sandbox = makeSandbox();
  const cdpPort = await freePort();
  bridge = await startBridge({ resultsDir, getPage: () => workbenchPage(cdpPort), onEvent: tally.onEvent });
  writeHarnessConfig(bundleDir, {
    host: 'electron',
    bridgePort: bridge.port,
    workspace: sandbox.workspace,
    userDataDir: sandbox.userDataDir,
    grep,
  });

  const vscodeExecutablePath = await downloadAndUnzipVSCode(process.env.VSCODE_VERSION ?? 'stable');
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: root,
      extensionTestsPath: join(bundleDir, 'index.js'),
      launchArgs: [
        sandbox.workspace,
        '--user-data-dir',
        sandbox.userDataDir,
        '--extensions-dir',
        sandbox.extensionsDir,
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--remote-debugging-port=${cdpPort}`,
      ],
    });
    if (!tally.ended) tally.record('electron suite completed', false, 'VS Code exited before the suite reported its end');
  } catch (e) {
    if (!tally.results.some((r) => !r.ok)) tally.record('electron suite completed', false, e instanceof Error ? e.message : String(e));
  }
  await cdp?.close().catch(() => undefined);
  const activated = collectLogs(sandbox.userDataDir).find((l) => /Embedding Lens .* activated/.test(l));
  say(activated ? `extension host log: ${activated.trim()}` : 'extension host log: no activation line (see test-results/host/logs/)');
  if (flag('--no-vsix')) return;

  const title = 'vsix: installs into VS Code with --install-extension and lists its commands';
  try {
    const [cli, ...cliArgv] = resolveCliArgsFromVSCodeExecutablePath(vscodeExecutablePath);
    const run = (a) => {
      const r = spawnSync(cli, [...cliArgv, '--user-data-dir', sandbox.userDataDir, '--extensions-dir', sandbox.extensionsDir, ...a], {
        encoding: 'utf8',
        timeout: 180_000,
      });
      writeFileSync(join(resultsDir, `vscode-cli-${a[0].replace(/^-+/, '')}.log`), `${r.stdout}\n${r.stderr}`);
      if (r.status !== 0) throw new Error(`code ${a.join(' ')} exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };
    checkVsixInstall(packageVsix(value('--vsix')), run, sandbox.extensionsDir);
    tally.record(title, true);
  } catch (e) {
    tally.record(title, false, e instanceof Error ? e.message : String(e));
  }
}

let exitCode;
try {
  await main();
} catch (e) {
  tally.record('electron harness', false, e instanceof Error ? (e.stack ?? e.message) : String(e));
} finally {
  await cdp?.close().catch(() => undefined);
  await bridge?.close().catch(() => undefined);
  if (sandbox && !flag('--keep')) rmSync(sandbox.tmp, { recursive: true, force: true });
  if (!flag('--keep')) rmSync(runDir, { recursive: true, force: true });
  exitCode = tally.finish('electron');
}
process.exit(exitCode);
