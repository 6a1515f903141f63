// `npm run package`: a platform-specific .vsix whose node_modules carry only that platform's
// native binaries. onnxruntime-node alone ships every OS/arch (≈288 MB) and usearch ships
// prebuilds for three; a linux-x64 user needs one of each.
//
// The extension is staged in out/vsix/stage/ and packaged from there, so nothing in the working
// tree beyond the runtime files can slip in (other folders there hold hundreds of MB of tools and
// data): package.json, dist/, media/, README/LICENSE/CHANGELOG, and the production dependency
// tree hard-linked (copied across devices) with other platforms' native folders left out. The
// root .vscodeignore then trims the stage (source maps, typings, C/C++ sources).
//
// Usage: node scripts/package.mjs [--target linux-x64] [--out DIR]   → prints the .vsix path and size
//   (default DIR out/vsix; the file is <name>-<target>-<version>.vsix)
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const args = process.argv.slice(2);
const value = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const PLATFORMS = ['linux', 'darwin', 'win32', 'alpine', 'linuxmusl', 'freebsd', 'openbsd', 'android', 'sunos', 'aix'];
const ARCHS = ['x64', 'arm64', 'arm', 'armhf', 'ia32', 'x86', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];
const NATIVE = /\.(node|so(\.\d+)*|dll|dylib|exe)$/;

const target = value('--target') ?? `${process.platform}-${process.arch}`;
const [targetPlatform, targetArch] = target.split('-');
if (!PLATFORMS.includes(targetPlatform) || !ARCHS.includes(targetArch)) {
  console.error(`[package] unknown --target ${target} (expected e.g. linux-x64, linux-arm64, darwin-arm64, win32-x64, alpine-x64)`);
  process.exit(2);
}
const outDir = resolve(value('--out') ?? join(root, 'out', 'vsix'));
const stage = join(outDir, `stage-${process.pid}`); // concurrent runs must not share a stage

function fail(message) {
  console.error(`[package] ${message}`);
  process.exit(1);
}

function run(cmd, cmdArgs, cwd) {
  const r = spawnSync(cmd, cmdArgs, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) fail(`${cmd} ${cmdArgs.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Does `dir` (recursively) hold a native binary? Only such folders are pruned, never plain JS. */
function holdsNative(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory() ? holdsNative(p) : NATIVE.test(name)) return true;
  }
  return false;
}

/**
 * Whether a folder name names another platform or architecture than the target:
 * `linux`, `win32` (then its arch subfolders), `linux-arm64`, `darwin-arm64+x64`,
 * `linuxmusl-x64`, `sharp-darwin-arm64`, … A name that names no platform keeps its folder.
 */
function otherPlatform(name, parentPlatform) {
  if (PLATFORMS.includes(name)) return name !== targetPlatform;
  if (parentPlatform && ARCHS.includes(name)) return name !== targetArch;
  const m = name.match(new RegExp(`(?:^|-)(${PLATFORMS.join('|')})-((?:${ARCHS.join('|')})(?:\\+(?:${ARCHS.join('|')}))*)(?:-(gnu|glibc|musl|msvc))?$`));
  if (!m) return false;
  const [, platform, archs, libc] = m;
  if (platform !== targetPlatform) return true;
  if (libc === 'musl' && targetPlatform !== 'alpine') return true;
  return !archs.split('+').includes(targetArch);
}

let linked = 0;
let pruned = [];
function place(from, to) {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
  linked++;
}

/** Copies one package folder into the stage, leaving out other platforms' native folders. */
function stagePackage(from, to, parentPlatform) {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const st = statSync(src);
    if (st.isDirectory()) {
      // Nested node_modules are staged as packages of their own (npm ls lists them).
      if (name === 'node_modules') continue;
      if (otherPlatform(name, parentPlatform) && holdsNative(src)) {
        pruned.push(relative(root, src));
        continue;
      }
      stagePackage(src, join(to, name), name === targetPlatform ? targetPlatform : undefined);
    } else if (st.isFile()) {
      place(src, join(to, name));
    }
  }
}

// 1. Production bundles. vsce would run vscode:prepublish in the stage, where no sources exist.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const file of [pkg.icon].filter(Boolean)) {
  if (!existsSync(join(root, file))) fail(`package.json names ${file} (icon), which does not exist`);
}
run(process.execPath, [join(root, 'scripts/build.mjs'), '--production'], root);
if (!existsSync(join(root, pkg.main))) fail(`the build did not produce ${pkg.main}`);

// 2. Stage the extension's own files.
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
const manifest = { ...pkg };
delete manifest.scripts; // nothing to run from a packaged extension; vsce would try vscode:prepublish
delete manifest.devDependencies;
writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
for (const entry of ['dist', 'media', 'README.md', 'LICENSE', 'LICENSE.md', 'LICENSE.txt', 'CHANGELOG.md', '.vscodeignore']) {
  const src = join(root, entry);
  if (!existsSync(src)) continue;
  if (statSync(src).isDirectory()) stagePackage(src, join(stage, entry));
  else place(src, join(stage, entry));
}

// 3. Stage the production dependency tree (what `npm ls --omit=dev` resolves from the lockfile).
const deps = run('npm', ['ls', '--omit=dev', '--parseable', '--all', '--loglevel=error'], root)
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && l !== root);
for (const dir of deps) {
  const rel = relative(root, dir);
  if (!rel.startsWith('node_modules/')) continue;
  const name = rel.split('node_modules/').pop();
  if (otherPlatform(name.replace('/', '-'), undefined) && holdsNative(dir)) {
    pruned.push(rel);
    continue;
  }
  stagePackage(dir, join(stage, rel));
}
pruned = [...new Set(pruned)].sort();

// 4. Package. The manifest has no repository/LICENSE requirement here: vsce would prompt on a TTY.
const vsixName = `${pkg.name}-${target}-${pkg.version}.vsix`;
const vsix = join(outDir, vsixName);
rmSync(vsix, { force: true });
const license = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => existsSync(join(stage, f)));
run(
  process.execPath,
  [
    join(root, 'node_modules/@vscode/vsce/vsce'), 'package',
    '--target', target,
    '--out', vsix,
    '--allow-missing-repository',
    ...(license ? [] : ['--skip-license']),
  ],
  stage,
);

// 5. Check what went in: the target's natives present, no other platform's.
const listing = run('unzip', ['-Z1', vsix], root).split('\n').filter(Boolean);
const natives = listing.filter((f) => NATIVE.test(f));
const foreign = natives.filter((f) => f.split('/').some((seg, i, segs) => otherPlatform(seg, PLATFORMS.includes(segs[i - 1]) ? segs[i - 1] : undefined)));
if (foreign.length) fail(`the .vsix still holds other platforms' binaries:\n  ${foreign.join('\n  ')}`);
if (!listing.includes(`extension/${pkg.main.replace(/^\.\//, '')}`)) fail(`the .vsix lacks ${pkg.main}`);
const bytes = statSync(vsix).size;
console.log(`[package] pruned for ${target}: ${pruned.length ? pruned.join(', ') : '(nothing)'}`);
console.log(`[package] native binaries: ${natives.map((f) => f.replace(/^extension\//, '')).join(', ')}`);
console.log(`[package] ${relative(process.cwd(), vsix) || vsix}: ${(bytes / 1048576).toFixed(1)} MB (${bytes} bytes, ${listing.length} files, target ${target})`);
rmSync(stage, { recursive: true, force: true });
