// Installs the host-test tools once into .host-test/ (git-ignored) and reuses them:
//   .host-test/node/         Node 24 from the npm package `node` (binary + headers)
//   .host-test/code-server/  code-server, installed by npm running under that Node 24
// code-server 4.139 needs Node 24, and its native modules (argon2, node-pty, kerberos, …) are
// compiled against the running Node, so npm must run under Node 24 with npm_config_nodedir at its
// headers (else node-gyp tries to download them — no network here). Each tool is installed into a
// temporary folder and renamed into place only when complete, so an interrupted install never
// leaves a half-built tool that a later run would trust.
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { spawn } from 'node:child_process';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

export function toolPaths(root) {
  const base = join(root, '.host-test');
  const nodeHome = join(base, 'node', 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`);
  return {
    base,
    nodeDir: join(base, 'node'),
    nodeHome,
    node: join(nodeHome, 'bin', 'node'),
    codeServerDir: join(base, 'code-server'),
    codeServerEntry: join(base, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
}

/** The npm CLI script to run under another Node (npm_execpath when started by `npm run`). */
function npmCli() {
  const fromEnv = process.env.npm_execpath;
  if (fromEnv && /npm-cli\.c?js$/.test(fromEnv) && existsSync(fromEnv)) return fromEnv;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'npm');
    if (!existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    const cli = join(dirname(real), 'npm-cli.js');
    if (existsSync(cli)) return cli;
  }
  throw new Error('npm not found on PATH (needed once to install Node 24 and code-server into .host-test/)');
}

function run(cmd, args, opts, logFile) {
  return new Promise((resolve, reject) => {
    // A stalled registry must not hang the test run: code-server's install takes ~5 min here.
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30 * 60_000, killSignal: 'SIGKILL' });
    let text = '';
    const keep = (chunk) => {
      text += chunk;
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      writeFileSync(logFile, text);
      if (code === 0) resolve();
      else
        reject(
          new Error(`${cmd} ${args.join(' ')} exited ${code ?? 'on a signal (30 min limit?)'}; log: ${logFile}\n${text.slice(-3000)}`),
        );
    });
  });
}

/**
 * A throwaway project folder with its own package.json so the repository's .npmrc and lockfile
 * stay out of it. allowScripts approves the install scripts these tools need (npm 11's script
 * policy): node's preinstall fetches the platform binary, code-server's postinstall and argon2
 * build natives.
 */
async function npmInstallInto(dir, spec, allowScripts, env, nodeBin, logFile) {
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'package.json'), JSON.stringify({ private: true, name: 'embedding-lens-host-tools', allowScripts }, null, 2));
  await run(
    nodeBin,
    [npmCli(), 'install', '--no-audit', '--no-fund', '--no-package-lock', '--save=false', spec],
    { cwd: tmp, env },
    logFile,
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

/**
 * The environment minus what an outer `npm test` / `npm run` exported (npm_config_*, npm_package_*,
 * npm_lifecycle_*, npm_node_execpath, NODE): the inner npm runs under Node 24, and code-server's
 * postinstall reads the Node version from npm_config_user_agent — inherited, it says Node 20 and
 * the install fails on a fresh machine.
 */
function withoutOuterNpm(env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^npm_/i.test(k) || k === 'NODE' || k === 'INIT_CWD') continue;
    out[k] = v;
  }
  return out;
}

function stamp(p) {
  try {
    return JSON.parse(readFileSync(join(p, 'host-tool.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Checks the one Debian package the native build needs, so a missing one fails with its name. */
function checkBuildPrerequisites() {
  if (!existsSync('/usr/include/gssapi/gssapi.h') && !existsSync('/usr/include/krb5.h')) {
    throw new Error("code-server's kerberos module needs the Kerberos headers: apt-get install -y libkrb5-dev");
  }
}

/** Ensures Node 24 and code-server are installed; returns their paths. Logs what it does to `say`. */
export async function ensureTools(root, say) {
  const p = toolPaths(root);
  mkdirSync(p.base, { recursive: true });
  const started = Date.now();
  let installed = false;

  if (stamp(p.nodeDir)?.version !== NODE_VERSION || !existsSync(p.node)) {
    say(`installing Node ${NODE_VERSION} into ${p.nodeDir} (once)…`);
    await npmInstallInto(
      p.nodeDir,
      `node@${NODE_VERSION}`,
      { node: true },
      withoutOuterNpm(process.env),
      process.execPath,
      join(p.base, 'node-install.log'),
    );
    if (!existsSync(p.node)) throw new Error(`Node ${NODE_VERSION} install did not produce ${p.node}`);
    writeFileSync(join(p.nodeDir, 'host-tool.json'), JSON.stringify({ version: NODE_VERSION }));
    installed = true;
  }

  if (stamp(p.codeServerDir)?.version !== CODE_SERVER_VERSION || !existsSync(p.codeServerEntry)) {
    checkBuildPrerequisites();
    say(`installing code-server ${CODE_SERVER_VERSION} into ${p.codeServerDir} (once, a few minutes)…`);
    const env = {
      ...withoutOuterNpm(process.env),
      PATH: `${join(p.nodeHome, 'bin')}${delimiter}${process.env.PATH}`,
      // Environment beats ~/.npmrc, whose nodedir=/usr points at Node 20's headers.
      npm_config_nodedir: p.nodeHome,
      // node-pty's build runs `npx node-gyp`, which would otherwise wait for a "y".
      npm_config_yes: 'true',
    };
    delete env.npm_config_ignore_scripts;
    await npmInstallInto(
      p.codeServerDir,
      `code-server@${CODE_SERVER_VERSION}`,
      { 'code-server': true, argon2: true },
      env,
      p.node,
      join(p.base, 'code-server-install.log'),
    );
    if (!existsSync(p.codeServerEntry)) throw new Error(`code-server install did not produce ${p.codeServerEntry}`);
    writeFileSync(join(p.codeServerDir, 'host-tool.json'), JSON.stringify({ version: CODE_SERVER_VERSION }));
    installed = true;
  }
  if (installed) say(`tools installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return p;
}
