// The layer rules of the design (dependencies point down only), checked on every import, export-from,
// dynamic import() and require() in src/ and webview/. Run by `npm test` before the build; prints each
// broken rule as `file:line: <layer> must not import <target> (<why>)` and exits 1, else one line.
// It also holds every source file in those folders to 400 lines unless the file says why not.
//
//   extension.ts → commands → host → core            cli → core          demo → core
//   protocol.ts (messages) → core/model              webview → protocol, browser-safe core modules
//
// Usage: node scripts/check-layers.mjs [root]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** The layer a repository path belongs to (undefined: not checked, e.g. node_modules). */
function layerOf(path) {
  const p = path.split(sep).join('/');
  if (p === 'src/protocol.ts' || p === 'src/trainingProtocol.ts' || p.startsWith('src/protocol/')) return 'protocol';
  if (p.startsWith('src/core/')) return 'core';
  for (const l of ['commands', 'host', 'cli', 'demo']) if (p.startsWith(`src/${l}/`)) return l;
  if (p === 'src/extension.ts') return 'extension';
  if (p === 'src/cli.ts') return 'cli';
  if (p.startsWith('webview/')) return 'webview';
  return undefined;
}

/**
 * What each layer must not import: other layers, and for some `vscode` or Node's built-ins. Each
 * rule says why, so the message teaches the rule instead of only citing it.
 */
const FORBIDDEN = {
  core: {
    layers: ['protocol', 'commands', 'host', 'cli', 'demo', 'extension', 'webview'],
    vscode: true,
    why: 'the engine runs in the host, the CLI, workers and tests: no vscode and nothing above it',
  },
  protocol: {
    layers: ['commands', 'host', 'cli', 'demo', 'extension', 'webview'],
    vscode: true,
    node: true,
    why: 'messages are imported by the host and the browser: types, validators and core/model only',
  },
  cli: { layers: ['commands', 'host', 'extension', 'webview'], vscode: true, why: 'the CLI runs without VS Code' },
  demo: {
    layers: ['commands', 'host', 'cli', 'extension', 'webview', 'protocol'],
    vscode: true,
    why: 'the demo generators run in the CLI and Open Sample alike',
  },
  host: { layers: ['commands', 'extension', 'webview', 'cli'], why: 'host glue serves the commands, never the other way round' },
  commands: { layers: ['extension', 'webview', 'cli'], why: 'a command is started by the extension, not the reverse' },
  webview: {
    layers: ['commands', 'host', 'cli', 'demo', 'extension'],
    vscode: true,
    node: true,
    why: 'browser code: it talks to the host through messages only',
  },
  extension: { layers: ['webview', 'cli'], why: 'activate() registers commands and panels' },
};

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'generated') continue;
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) yield p;
  }
}

/**
 * A source file longer than this is split by job, or says at its top why not, in a comment that
 * starts "Longer than 400 lines on purpose:" (a newcomer reads small modules with one job).
 */
const MAX_LINES = 400;
const LONG_ON_PURPOSE = /Longer than 400 lines on purpose:/;

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"\n]+)\1/gm;

export function checkLayers(base = root) {
  const problems = [];
  let files = 0;
  for (const dir of ['src', 'webview']) {
    for (const file of sourceFiles(join(base, dir))) {
      const rel = relative(base, file);
      const layer = layerOf(rel);
      if (!layer) continue;
      files++;
      const rule = FORBIDDEN[layer];
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      if (lines > MAX_LINES && !LONG_ON_PURPOSE.test(text)) {
        problems.push(
          `${rel}:1: ${lines} lines — split it by job, or say at its top why it must be longer ("Longer than ${MAX_LINES} lines on purpose: …")`,
        );
      }
      for (const m of text.matchAll(SPECIFIER)) {
        const spec = m[2];
        const line = text.slice(0, m.index).split('\n').length;
        let broken;
        if (spec === 'vscode' && rule.vscode) broken = 'vscode';
        else if (NODE_BUILTINS.has(spec) && rule.node) broken = `Node's ${spec}`;
        else if (spec.startsWith('.')) {
          const path = relative(base, resolve(dirname(file), spec));
          // Specifiers leave out the extension: '../../protocol' is src/protocol.ts.
          const target = layerOf(path) ?? layerOf(`${path}.ts`);
          if (target && rule.layers.includes(target)) broken = `${path} (${target})`;
        }
        if (broken) problems.push(`${rel}:${line}: ${layer} must not import ${broken} — ${rule.why}`);
      }
    }
  }
  return { problems, files };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const { problems, files } = checkLayers();
  for (const p of problems) console.error(p);
  console.log(`layers and file sizes: ${files} files checked, ${problems.length} broken rule${problems.length === 1 ? '' : 's'}`);
  process.exit(problems.length ? 1 : 0);
}
