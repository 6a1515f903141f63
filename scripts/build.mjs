// One build for every bundle the extension ships:
//   dist/extension.js  — the extension host entry (node, CommonJS)
//   dist/cli.js        — the `embedding-lens` bin (node, CommonJS, shebang)
//   dist/workers/*.js  — worker-thread entries (decode/embed, kNN, UMAP, training)
//   dist/webview.js    — the panel UI (browser IIFE), also inlined into HTML reports
//   dist/training.js   — the fine-tune panel's live curves (browser IIFE)
// Before bundling, scripts/kernels.mjs compiles the .wat kernels into src/**/generated/.
// Node bundles contain every dependency's JavaScript. What a bundle cannot hold — native addons,
// the libraries they load, tfjs's .wasm files (scripts/unbundled.mjs) — stays in node_modules and
// is found at run time by src/core/runtime/packageFile.ts; the .vsix ships just those files.
// A --production build also writes dist/THIRD-PARTY-NOTICES.txt: the licence of every package
// whose code went into a bundle (from esbuild's metafile, so exactly those packages).
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, mkdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { OPTIONAL_EXTERNAL, unbundledNatives } from './unbundled.mjs';
import { writeThirdPartyNotices } from './notices.mjs';
import { buildKernels } from './kernels.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const root = new URL('..', import.meta.url).pathname;

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  absWorkingDir: root,
  metafile: production,
};

const workerDir = join(root, 'src/core/workers');
const workerEntries = existsSync(workerDir)
  ? readdirSync(workerDir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join('src/core/workers', f))
  : [];

const nodeCommon = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // tfjs-node(-gpu) are optional and usually absent: their require stays a run-time one that fails
  // with MODULE_NOT_FOUND, which runtime/tfjs.ts reads as "not installed".
  external: ['vscode', ...OPTIONAL_EXTERNAL],
  plugins: [unbundledNatives(root)],
};

const builds = [
  { ...nodeCommon, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...nodeCommon, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  ...(workerEntries.length
    ? [{ ...nodeCommon, entryPoints: Object.fromEntries(workerEntries.map((f) => [basename(f, '.ts'), f])), outdir: 'dist/workers' }]
    : []),
  {
    ...common,
    platform: 'browser',
    target: ['chrome110'],
    format: 'iife',
    entryPoints: {
      webview: 'webview/main.ts',
      ...(existsSync(join(root, 'webview/training/main.ts')) ? { training: 'webview/training/main.ts' } : {}),
    },
    outdir: 'dist',
    loader: { '.css': 'text' },
  },
];

// The WebAssembly kernels first: the engine imports their generated modules.
await buildKernels();
mkdirSync(join(root, 'dist'), { recursive: true });
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[build] watching for changes…');
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  if (production)
    writeThirdPartyNotices(
      root,
      results.map((r) => r.metafile),
      join(root, 'dist/THIRD-PARTY-NOTICES.txt'),
    );
}
