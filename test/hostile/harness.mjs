// The hostile tier's harness: runs the built CLI (dist/cli.js) on one bad or malicious input per
// case, in a fresh folder, and checks what a user is owed — the exit code, one clear line on stderr
// (never a JavaScript stack trace), bounds on wall time and peak memory, and every file that existed
// before the run still there and byte-identical afterwards (no stray temp files either).
// Cases live in test/hostile/cases/*.mjs; see test/hostile/README.md for the case format.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import sharp from 'sharp';

export const root = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const cli = join(root, 'dist/cli.js');
const NOBODY = 65534;
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a command as root: directly when we are root, else through passwordless sudo. */
function privileged(argv) {
  const [cmd, ...rest] = isRoot ? argv : ['sudo', '-n', ...argv];
  return spawnSync(cmd, rest, { encoding: 'utf8' });
}

/** Builds the shared read-only inputs once (test/hostile/assets.ts) and returns their paths. */
export function buildAssets(outDir) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/hostile/assets.ts'), outDir], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the hostile assets failed:\n${r.stderr}`);
  const assets = JSON.parse(r.stdout.trim().split('\n').pop());
  return Object.freeze(assets);
}

/** Small file-system helpers a case's setup uses; mounts are remembered so they can be undone. */
export function makeHelpers() {
  const mounts = [];
  const parent = (p) => mkdirSync(dirname(p), { recursive: true });
  const h = {
    copy(src, dst) {
      parent(dst);
      cpSync(src, dst, { recursive: true });
    },
    write(path, content) {
      parent(path);
      writeFileSync(path, content);
    },
    read: (path) => readFileSync(path),
    exists: (path) => existsSync(path),
    npy(path, data, shape) {
      const descr = data instanceof Float64Array ? '<f8' : data instanceof Int32Array ? '<i4' : '<f4';
      const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
      let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
      header = header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 10 - 1, ' ') + '\n';
      const pre = Buffer.alloc(10);
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(pre);
      pre.writeUInt16LE(header.length, 8);
      h.write(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
    },
    mkfifo(path) {
      parent(path);
      const r = spawnSync('mkfifo', [path]);
      if (r.status !== 0) throw new Error(`mkfifo ${path} failed: ${r.stderr}`);
    },
    async png(path, size = 32, seed = 0) {
      parent(path);
      const px = Buffer.alloc(size * size * 3);
      let s = (seed * 2654435761 + 1) >>> 0;
      for (let i = 0; i < px.length; i++) px[i] = (s = (s * 1664525 + 1013904223) >>> 0) >>> 24;
      await sharp(px, { raw: { width: size, height: size, channels: 3 } })
        .png()
        .toFile(path);
    },
    symlink(target, path) {
      parent(path);
      symlinkSync(target, path);
    },
    chmod: (path, mode) => chmodSync(path, mode),
    /**
     * A small tmpfs at `path` (for disk-full cases), unmounted after the case. Mounting needs root
     * (as CI here runs) or passwordless sudo; the folder then belongs to the user running the tests.
     */
    tmpfs(path, sizeKB) {
      mkdirSync(path, { recursive: true });
      const owner = isRoot ? [] : [`uid=${process.getuid()}`, `gid=${process.getgid()}`];
      const r = privileged(['mount', '-t', 'tmpfs', '-o', [`size=${sizeKB}k`, ...owner].join(','), 'tmpfs', path]);
      if (r.status !== 0) throw new Error(`mounting a tmpfs at ${path} needs root or passwordless sudo: ${(r.stderr ?? '').trim()}`);
      mounts.push(path);
    },
  };
  const unmountAll = () => {
    for (const m of mounts.reverse()) privileged(['umount', '-l', m]);
    mounts.length = 0;
  };
  return { h, unmountAll };
}

/** Every path under dir with its type, mode and content hash (symlinks not followed). */
export function snapshot(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const rel = relative(dir, p);
      const st = lstatSync(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.set(rel, `link ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.set(rel, `dir ${mode}`);
        walk(p);
      } else if (st.isFile()) out.set(rel, `file ${mode} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
      else
        out.set(rel, `special ${mode} ${st.isFIFO() ? 'fifo' : st.isCharacterDevice() ? 'char' : st.isBlockDevice() ? 'block' : 'socket'}`);
    }
  };
  walk(dir);
  return out;
}

/** What changed between two snapshots: pre-existing paths changed or gone, and new temp files left behind. */
export function diffSnapshots(before, after, allowed = []) {
  const problems = [];
  const isAllowed = (rel) => allowed.some((a) => rel === a || rel.startsWith(a + '/'));
  for (const [rel, was] of before) {
    if (isAllowed(rel)) continue;
    const now = after.get(rel);
    if (now === undefined) problems.push(`${rel} was deleted`);
    else if (now !== was) problems.push(`${rel} changed (${was.split(' ')[0]} → ${now.split(' ').slice(0, 2).join(' ')})`);
  }
  for (const rel of after.keys()) {
    if (!before.has(rel) && /\.tmp($|[-.])/.test(rel.split('/').pop())) problems.push(`${rel} is a temp file left behind`);
  }
  return problems;
}

function treePids(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      for (const t of readdirSync(`/proc/${pids[i]}/task`)) {
        const kids = readFileSync(`/proc/${pids[i]}/task/${t}/children`, 'utf8').trim();
        if (kids) pids.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      // The process ended between two reads.
    }
  }
  return pids;
}

function statusKB(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `node dist/cli.js ...args` in cwd and measures it: exit code, output, wall seconds, and peak
 * resident memory (the CLI's own high-water mark, or the sum over its process tree if larger),
 * polled every 50 ms. Killed (whole process group) after `killAfter` seconds.
 */
export function runCli({ args, cwd, env, user, signal, killAfter }) {
  return new Promise((resolvePromise) => {
    const cmd = user === 'nobody' && isRoot ? 'setpriv' : process.execPath;
    const argv =
      user === 'nobody' && isRoot
        ? [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', process.execPath, cli, ...args]
        : [cli, ...args];
    const started = Date.now();
    const child = spawn(cmd, argv, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKB = 0;
    let killed = false;
    let signalled = 0;
    const sendSignal = () => {
      if (signalled >= (signal?.repeat ? 2 : 1)) return;
      signalled++;
      try {
        process.kill(child.pid, signal.name ?? 'SIGINT');
      } catch {
        // Already gone.
      }
      if (signal?.repeat && signalled < 2) setTimeout(sendSignal, 500);
    };
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => {
      stderr += c;
      if (signal?.when && !signalled && signal.when.test(stderr)) sendSignal();
    });
    const poll = setInterval(() => {
      const pids = treePids(child.pid);
      const sum = pids.reduce((a, p) => a + statusKB(p, 'VmRSS'), 0);
      peakKB = Math.max(peakKB, sum, statusKB(child.pid, 'VmHWM'));
    }, 50);
    const timers = [];
    if (signal?.after !== undefined) timers.push(setTimeout(sendSignal, signal.after * 1000));
    timers.push(
      setTimeout(() => {
        killed = true;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }, killAfter * 1000),
    );
    child.on('close', (code, sig) => {
      clearInterval(poll);
      for (const t of timers) clearTimeout(t);
      // Whatever the CLI left running in its group (it should leave nothing) goes too.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Nothing left: the normal case.
      }
      resolvePromise({
        code: code ?? (sig ? 128 : -1),
        signal: sig,
        stdout,
        stderr,
        seconds: (Date.now() - started) / 1000,
        peakRssMB: peakKB / 1024,
        killed,
      });
    });
  });
}

const STACK_LINE = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;

/** Runs one case end to end; returns { ok, problems, result }. */
export async function runCase(c, { assets, workRoot }) {
  const dir = join(workRoot, 'case');
  const scratch = join(workRoot, 'scratch');
  rmSync(workRoot, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(scratch, 'home'), { recursive: true });
  const { h, unmountAll } = makeHelpers();
  const problems = [];
  let result;
  try {
    const ctx = c.setup ? await c.setup({ dir, assets, h }) : undefined;
    if (c.user === 'nobody' && isRoot) {
      // The case's own files belong to the user the CLI runs as; their modes are the case's choice.
      spawnSync('chown', ['-R', '--no-dereference', `${NOBODY}:${NOBODY}`, workRoot]);
      chmodSync(workRoot, 0o755);
    }
    const before = snapshot(dir);
    const env = {
      ...process.env,
      HOME: join(scratch, 'home'),
      XDG_CACHE_HOME: join(scratch, 'cache'),
      NO_COLOR: '1',
      ...(c.env ?? {}),
    };
    delete env.NODE_OPTIONS;
    const e = c.expect;
    result = await runCli({ args: c.args({ dir, ctx, assets }), cwd: dir, env, user: c.user, signal: c.signal, killAfter: 2 * e.seconds });
    if (result.killed) problems.push(`still running after ${2 * e.seconds} s (bound ${e.seconds} s): killed`);
    else if (result.seconds > e.seconds) problems.push(`took ${result.seconds.toFixed(1)} s (bound ${e.seconds} s)`);
    if (result.peakRssMB > e.rssMB) problems.push(`peak RSS ${result.peakRssMB.toFixed(0)} MB (bound ${e.rssMB} MB)`);
    if (!result.killed && result.code !== e.code) problems.push(`exit code ${result.code}, expected ${e.code}`);
    if (e.stderr && !e.stderr.test(result.stderr)) problems.push(`stderr does not match ${e.stderr}`);
    if (e.stdout && !e.stdout.test(result.stdout)) problems.push(`stdout does not match ${e.stdout}`);
    if (e.code !== 0 && !e.stderr) problems.push('a failing case must say what stderr is expected to contain');
    if (STACK_LINE.test(result.stderr) && !e.allowStack) problems.push('stderr holds a JavaScript stack trace');
    problems.push(...diffSnapshots(before, snapshot(dir), c.changes));
    if (c.check && problems.length === 0) {
      try {
        await c.check({ dir, ctx, result, h, assets });
      } catch (err) {
        problems.push(`check: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } catch (err) {
    problems.push(`harness: ${err instanceof Error ? err.stack : String(err)}`);
  } finally {
    unmountAll();
    spawnSync('chmod', ['-R', 'u+rwX', workRoot]);
    rmSync(workRoot, { recursive: true, force: true });
  }
  return { ok: problems.length === 0, problems, result };
}
