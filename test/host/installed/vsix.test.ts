// Runs against the .vsix that `npm run package` built and the harness installed with
// --install-extension: the host must load that copy, activate it, register its commands, and the
// installed copy must do real work on its own bundled code: every dependency's JavaScript is in
// dist/, and node_modules holds only native binaries, .wasm files and licences, which the bundles
// must find there. So the installed extension inspects a tiny ONNX model and a tfjs model (sharp
// decoding the images), and the installed CLI runs in a process of its own where nothing but the
// extension folder can supply a module (usearch's kNN, sharp's thumbnails, onnxruntime).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import { makeProductImages } from '../../../src/demo';
import { makeDemoCheckpoint } from '../../../src/demo/demoModel';
import type { InspectionRun } from '../../../src/core/inspect/pipeline';
import { findFiles, manifest, outputChannelLog } from '../suite/helpers/extension';
import { harness } from '../suite/helpers/runner';
import { waitFor } from '../suite/helpers/wait';
import { workspaceDir, npyBytes, writeWorkspaceFile } from '../suite/helpers/workspace';

// scripts/package.mjs fails above this too; here it is the installed folder that is counted.
const MAX_FILES = 600;

describe('installed .vsix', () => {
  it('is the copy the host loaded, from the extensions folder', () => {
    const ext = vscode.extensions.getExtension(harness().extensionId);
    assert.ok(ext, `${harness().extensionId} is installed`);
    assert.equal(ext.extensionPath, harness().extensionPath);
  });

  it('activates and registers every contributed command', async () => {
    const ext = vscode.extensions.getExtension(harness().extensionId);
    assert.ok(ext);
    await ext.activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = manifest().contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 0);
    assert.deepEqual(
      contributed.filter((c) => !registered.has(c)),
      [],
    );
  });

  it(`holds fewer than ${MAX_FILES} files, and under node_modules only native binaries, .wasm files and licences`, () => {
    const root = harness().extensionPath;
    const all = findFiles(root, () => true).map((f) => relative(root, f));
    assert.ok(all.length < MAX_FILES, `${all.length} files installed`);
    const other = all
      .filter((f) => f.startsWith('node_modules/'))
      .filter((f) => !/\.(node|so(\.\d+)*|dll|dylib|wasm)$/.test(f) && !/\/(licen[cs]e|notice|copying|readme)[^/]*$/i.test(f));
    assert.deepEqual(other, [], 'nothing else under node_modules: the JavaScript is bundled in dist/');
    assert.ok(all.includes('dist/THIRD-PARTY-NOTICES.txt'), "the bundled packages' licences ship");
  });

  it("ships the walkthrough's pages and the images they and the README show", () => {
    const root = harness().extensionPath;
    const walks =
      (manifest().contributes as unknown as { walkthroughs?: { steps: { media: { markdown?: string } }[] }[] }).walkthroughs ?? [];
    const pages = walks.flatMap((w) => w.steps.map((s) => s.media.markdown)).filter((m): m is string => Boolean(m));
    assert.ok(pages.length > 0, 'the walkthrough has markdown pages');
    const images = (file: string) =>
      [...readFileSync(file, 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => join(file, '..', m[1]));
    // vsce stores the README as readme.md.
    const readme = findFiles(root, (n) => n.toLowerCase() === 'readme.md').find((f) => relative(root, f).toLowerCase() === 'readme.md');
    assert.ok(readme, 'the README ships');
    const missing = [...pages.map((p) => join(root, p)), ...pages.flatMap((p) => images(join(root, p))), ...images(readme)]
      .filter((f) => !existsSync(f))
      .map((f) => relative(root, f));
    assert.deepEqual(missing, [], 'every walkthrough page and every image it or the README shows is installed');
  });

  describe('does real work from its own bundles and native files', function () {
    this.timeout(300_000);
    let dir: string;
    let onnx: string;
    let modelJson: string;
    let dataset: string;

    before(async () => {
      dir = join(workspaceDir(), 'installed');
      mkdirSync(dir, { recursive: true });
      onnx = join(dir, 'tiny-cnn.onnx');
      copyFileSync(join(harness().repository, 'test/fixtures/models/tiny-cnn.onnx'), onnx);
      modelJson = join(await makeDemoCheckpoint(join(dir, 'demo-cnn'), { inputSize: 16, dim: 16 }), 'model.json');
      dataset = (await makeProductImages(join(dir, 'products'), { classes: 4, perClass: 6, size: 16 })).root;
    });

    it('inspects an ONNX model with onnxruntime and a tfjs model with the wasm backend, decoding images with sharp', async () => {
      for (const [checkpoint, backend] of [
        [onnx, /backend: onnxruntime-cpu/],
        [modelJson, /backend: (wasm|cpu)/],
      ] as const) {
        const before = outputChannelLog().length;
        const run = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(checkpoint), {
          dataset,
        });
        assert.ok(run, `the installed extension inspected ${checkpoint}`);
        assert.equal(run.cancelled, false);
        assert.equal(run.data.items?.n, 24);
        assert.ok(run.data.metrics && Number.isFinite(run.data.metrics.mapAtR), 'metrics computed');
        const log = await waitFor('the inspection in the log', () => {
          const t = outputChannelLog().slice(before);
          return t.includes('Inspection finished') ? t : undefined;
        });
        assert.match(log, backend);
      }
    });

    it('Open Sample makes the demo checkpoint and datasets from the installed bundles (sharp, tfjs)', async () => {
      // What a user who just installed the .vsix runs first; the folder dialog's answer is passed
      // as the argument (the suite's openSample test answers the dialog itself).
      const parent = join(dir, 'sample-parent');
      mkdirSync(parent, { recursive: true });
      const sample = await vscode.commands.executeCommand<{ out: string; checkpoint: string; heldOut: { count: number } } | undefined>(
        'embeddingLens.openSample',
        vscode.Uri.file(parent),
      );
      assert.ok(sample, 'the installed extension made the sample');
      assert.equal(sample.out, join(parent, 'embedding-lens-sample'));
      assert.ok(existsSync(sample.checkpoint), 'the demo checkpoint');
      assert.equal(sample.heldOut.count, 480);
    });

    it('runs its CLI in a process of its own: ONNX inspection with thumbnails, and a usearch kNN graph', () => {
      const cli = join(harness().extensionPath, 'dist', 'cli.js');
      // A cwd and HOME outside the repository: the only node_modules the CLI can reach is its own.
      const home = join(tmpdir(), `embedding-lens-installed-${process.pid}`);
      mkdirSync(home, { recursive: true });
      const env = { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache'), NODE_PATH: '' };
      const run = (args: string[]) => {
        const r = spawnSync(process.execPath, [cli, ...args], { cwd: home, env, encoding: 'utf8', timeout: 240_000 });
        assert.equal(r.status, 0, `embedding-lens ${args.join(' ')} exited ${r.status ?? r.signal}:\n${r.stderr.slice(-2000)}`);
        return r;
      };
      const summary = join(home, 'inspect.json');
      run(['inspect', onnx, dataset, '--out', join(home, 'report.html'), '--json', summary, '--no-cache']);
      const inspected = JSON.parse(readFileSync(summary, 'utf8')) as { backend: string; items: number };
      assert.equal(inspected.backend, 'onnxruntime-cpu');
      assert.equal(inspected.items, 24);
      assert.match(
        readFileSync(join(home, 'report.html'), 'utf8'),
        /data:image\/(png|jpeg|webp)/,
        'sharp encoded thumbnails into the report',
      );

      const vectors = new Float32Array(24 * 4).map((_, i) => ((i * 7919) % 97) / 97 + (i % 4 === Math.floor(i / 4) % 4 ? 1 : 0));
      const embeddings = writeWorkspaceFile('installed/embeddings.npy', npyBytes(vectors, [24, 4]));
      const projected = JSON.parse(
        run(['project', '--embeddings', embeddings, '--out', join(home, 'xy.npy'), '--knn', 'usearch']).stdout,
      ) as { n: number; knnRecall?: number };
      assert.equal(projected.n, 24);
      assert.equal(typeof projected.knnRecall, 'number', 'the kNN graph came from usearch (only an approximate graph reports its recall)');
    });
  });
});
