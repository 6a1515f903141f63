// One build for every bundle the extension ships:
//   dist/extension.js  — the extension host entry (node, CommonJS)
//   dist/cli.js        — the `embedding-lens` bin (node, CommonJS, shebang)
//   dist/workers/*.js  — worker-thread entries (decode/embed, kNN, UMAP, training)
//   dist/webview.js    — the panel UI (browser IIFE), also inlined into HTML reports
//   dist/training.js   — the fine-tune panel's live curves (browser IIFE)
// Node bundles keep every npm package external: native addons (onnxruntime-node, sharp,
// usearch, tfjs-node) cannot be bundled, and keeping tfjs external lets it find its own .wasm.
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, mkdirSync } from 'node:fs';
import { join, basename } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const root = new URL('..', import.meta.url).pathname;

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  absWorkingDir: root,
};

const workerDir = join(root, 'src/core/workers');
const workerEntries = existsSync(workerDir)
  ? readdirSync(workerDir).filter((f) => f.endsWith('.ts')).map((f) => join('src/core/workers', f))
  : [];

const nodeCommon = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  external: ['vscode'],
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

mkdirSync(join(root, 'dist'), { recursive: true });
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[build] watching for changes…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
