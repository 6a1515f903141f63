// `npm run package`: a platform-specific .vsix that holds the bundles and, under node_modules,
// only what a bundle cannot contain: that platform's native binaries, tfjs's .wasm files and their
// licences (scripts/unbundled.mjs says which; dist/THIRD-PARTY-NOTICES.txt carries the licences of
// the bundled JavaScript).
//
// The extension is staged in out/vsix/stage-<pid>/ and packaged from there, so nothing in the
// working tree beyond the runtime files can slip in: package.json (without scripts and
// dependencies — the bundles carry them), dist/, media/, README/LICENSE/CHANGELOG, and those files
// from the production dependency tree, hard-linked (copied across devices), other platforms'
// native folders left out. The root .vscodeignore then trims the stage (source maps).
//
// Usage: node scripts/package.mjs [--target linux-x64] [--out DIR]   → prints the .vsix path,
//   size and file count (default DIR out/vsix; the file is <name>-<target>-<version>.vsix)
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { LICENCE, NATIVE, OPTIONAL_EXTERNAL, WASM_DIRS } from './unbundled.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const args = process.argv.slice(2);
const value = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const PLATFORMS = ['linux', 'darwin', 'win32', 'alpine', 'linuxmusl', 'freebsd', 'openbsd', 'android', 'sunos', 'aix'];
const ARCHS = ['x64', 'arm64', 'arm', 'armhf', 'ia32', 'x86', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];
// A .vsix over this many files is a regression (a dependency's JavaScript shipped unbundled):
// packaging fails rather than ship it. Today's holds 31.
const MAX_FILES = 600;

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
  const m = name.match(
    new RegExp(`(?:^|-)(${PLATFORMS.join('|')})-((?:${ARCHS.join('|')})(?:\\+(?:${ARCHS.join('|')}))*)(?:-(gnu|glibc|musl|msvc))?$`),
  );
  if (!m) return false;
  const [, platform, archs, libc] = m;
  if (platform !== targetPlatform) return true;
  if (libc === 'musl' && targetPlatform !== 'alpine') return true;
  return !archs.split('+').includes(targetArch);
}

let linked = 0;
let pruned = [];
function place(from, to) {
  mkdirSync(join(to, '..'), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
  linked++;
}

/** Copies one folder of the extension's own (dist/, media/) into the stage. */
function stageFolder(from, to) {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const st = statSync(src);
    if (st.isDirectory()) stageFolder(src, join(to, name));
    else if (st.isFile()) place(src, join(to, name));
  }
}

/**
 * The files of one package folder (`rel`, e.g. "node_modules/@img/sharp-linux-x64") that the
 * bundles cannot contain: the target's native binaries and the .wasm files of WASM_DIRS — other
 * platforms' native folders left out, nested node_modules left to their own entry. Paths relative
 * to `rel`.
 */
function unbundledFiles(rel, sub = '', parentPlatform = undefined) {
  const out = [];
  const pkgName = rel.split('node_modules/').pop();
  for (const name of readdirSync(join(root, rel, sub))) {
    const path = sub ? `${sub}/${name}` : name;
    const src = join(root, rel, path);
    const st = statSync(src);
    if (st.isDirectory()) {
      if (name === 'node_modules') continue;
      if (otherPlatform(name, parentPlatform) && holdsNative(src)) {
        pruned.push(relative(root, src));
        continue;
      }
      out.push(...unbundledFiles(rel, path, name === targetPlatform ? targetPlatform : undefined));
    } else if (st.isFile() && (NATIVE.test(name) || (name.endsWith('.wasm') && WASM_DIRS.includes(`${pkgName}/${sub}`)))) {
      out.push(path);
    }
  }
  return out;
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
// Bundled into dist/; nothing is installed from a .vsix, and the stage's node_modules holds only
// unbundled files, which vsce's `npm list` lists as extraneous folders and packs.
delete manifest.dependencies;
delete manifest.optionalDependencies;
writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
for (const entry of ['dist', 'media', 'README.md', 'LICENSE', 'LICENSE.md', 'LICENSE.txt', 'CHANGELOG.md', '.vscodeignore']) {
  const src = join(root, entry);
  if (!existsSync(src)) continue;
  if (statSync(src).isDirectory()) stageFolder(src, join(stage, entry));
  else place(src, join(stage, entry));
}

// 3. From the production dependency tree (what `npm ls --omit=dev` resolves from the lockfile):
// the files the bundles load from node_modules at run time, and each such package's licence.
// tfjs-node(-gpu) stay out even when installed here: the bundles never contain their JavaScript.
const deps = run('npm', ['ls', '--omit=dev', '--parseable', '--all', '--loglevel=error'], root)
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && l !== root);
const shipped = [];
for (const dir of deps) {
  const rel = relative(root, dir);
  if (!rel.startsWith('node_modules/')) continue;
  const name = rel.split('node_modules/').pop();
  if (OPTIONAL_EXTERNAL.includes(name)) continue;
  if (otherPlatform(name.replace('/', '-'), undefined) && holdsNative(dir)) {
    pruned.push(rel);
    continue;
  }
  const files = unbundledFiles(rel);
  if (!files.length) continue;
  const top = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile());
  const licences = top.filter((f) => LICENCE.test(f));
  // sharp's libvips package has no licence file; its README states the LGPL terms of each library.
  files.push(...(licences.length ? licences : top.filter((f) => /^readme/i.test(f))));
  for (const f of files) place(join(dir, f), join(stage, rel, f));
  shipped.push(`${name} (${files.length})`);
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
    join(root, 'node_modules/@vscode/vsce/vsce'),
    'package',
    '--target',
    target,
    '--out',
    vsix,
    '--allow-missing-repository',
    // The README shows media/*.png by relative path: kept as is, VS Code resolves them inside the
    // installed extension; vsce would otherwise want a repository URL to rewrite them against.
    '--no-rewrite-relative-links',
    ...(license ? [] : ['--skip-license']),
  ],
  stage,
);

// 5. Check what went in: the target's natives present, no other platform's.
const listing = run('unzip', ['-Z1', vsix], root).split('\n').filter(Boolean);
const natives = listing.filter((f) => NATIVE.test(f));
const foreign = natives.filter((f) =>
  f.split('/').some((seg, i, segs) => otherPlatform(seg, PLATFORMS.includes(segs[i - 1]) ? segs[i - 1] : undefined)),
);
if (foreign.length) fail(`the .vsix still holds other platforms' binaries:\n  ${foreign.join('\n  ')}`);
if (!listing.includes(`extension/${pkg.main.replace(/^\.\//, '')}`)) fail(`the .vsix lacks ${pkg.main}`);
if (listing.length >= MAX_FILES)
  fail(`the .vsix holds ${listing.length} files (limit ${MAX_FILES}): has a dependency's JavaScript been left unbundled?`);
const bytes = statSync(vsix).size;
console.log(`[package] ${linked} files hard-linked or copied into the staging folder`);
console.log(`[package] pruned for ${target}: ${pruned.length ? pruned.join(', ') : '(nothing)'}`);
console.log(`[package] node_modules (unbundled files + licences): ${shipped.join(', ')}`);
console.log(`[package] native binaries: ${natives.map((f) => f.replace(/^extension\//, '')).join(', ')}`);
console.log(
  `[package] ${relative(process.cwd(), vsix) || vsix}: ${(bytes / 1048576).toFixed(1)} MB (${bytes} bytes, ${listing.length} files, target ${target})`,
);
rmSync(stage, { recursive: true, force: true });
