// Hostile and careless inputs through the real VS Code commands (issue #14, host tier): the same
// kinds of checkpoints and datasets the hostile CLI tier feeds `embedding-lens`, given to Inspect
// Embeddings, Compare Embeddings and Fine-tune with EET Loss inside a real extension host. Each
// must end, within a bound, in an error notification that names the offending file (or, for a
// file that is skipped, a log line naming it); the extension host must log no unhandled error and
// still answer commands — a real inspection included — afterwards; and every file the user had in
// the fixture folders must come out byte-identical.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { copyFileSync, cpSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { makeDemoCheckpoint } from '../../../src/demo/demoModel';
import type { ComparisonRun } from '../../../src/core/compare';
import type { InspectionRun } from '../../../src/core/inspect/pipeline';
import type { FineTuneResult } from '../../../src/core/train/options';
import { outputChannelLog } from './helpers/extension';
import { assertNoUnhandledErrors, assertResponsive, hostLogMark, makeFifo, releaseFifo, snapshotTree, within } from './helpers/hostile';
import { clearNotifications, waitForNotification } from './helpers/notifications';
import { harness, webviewText, webviewWaitFor } from './helpers/runner';
import { closeAllEditors, waitForWebviewTab } from './helpers/webview';
import { waitFor } from './helpers/wait';
import { npyBytes, workspaceDir, writeImageFolder, writeWorkspaceFile } from './helpers/workspace';

/** Fine-tune settings small enough for a busy 2-core machine (as in fineTune.test.ts). */
const SETTINGS = { epochs: 1, pk: [3, 4] as [number, number], valFraction: 0.34, maxValItems: 100 };

interface Refusal {
  /** What is run, for the time-bound message. */
  what: string;
  run: () => Thenable<unknown>;
  /** The command must settle within this many seconds: hostile input fails fast. */
  seconds: number;
  /** Strings the error notification must contain: the offending file's path (or its entry). */
  names: string[];
  /** Folders of the user's files: each must come out byte-identical. */
  keep: string[];
  /** The panel the command opened at once, whose error banner must name the file too. */
  panel?: 'embeddingLens.inspection' | 'embeddingLens.compare';
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

/**
 * Runs a command on a hostile input and checks everything a refusal must be: no result, in
 * bounded time; an error notification naming the file, one line without a stack trace; no
 * unhandled error in the host; the user's files unchanged; the host responsive afterwards.
 * Returns the notification's text.
 */
async function expectRefusal(c: Refusal): Promise<string> {
  const before = c.keep.map((d) => snapshotTree(d));
  const mark = hostLogMark();
  await clearNotifications();
  const result = await within(c.seconds, c.what, c.run());
  assert.equal(result, undefined, `${c.what} returns no result`);
  const text = await waitForNotification(`an error notification naming ${c.names.join(' and ')}`, (t) =>
    c.names.every((n) => t.includes(n)),
  );
  assert.match(text, /^Embedding Lens: /, 'the notification says who speaks');
  assert.doesNotMatch(text, /\n\s+at /, 'no stack trace in the notification');
  if (c.panel) {
    await waitForWebviewTab(c.panel);
    await webviewWaitFor('.toast[role="alert"]', { timeoutMs: 60_000 });
    const banner = await webviewText('.toast[role="alert"] span');
    for (const n of c.names) assert.equal(occurrences(banner, n), 1, `the panel's error names ${n} once: ${JSON.stringify(banner)}`);
  }
  await assertNoUnhandledErrors(mark);
  c.keep.forEach((d, i) => assert.deepEqual(snapshotTree(d), before[i], `every file under ${d} is unchanged`));
  await assertResponsive();
  return text;
}

const ws = (rel: string) => join(workspaceDir(), 'hostile', rel);

/** A copy of the demo tfjs checkpoint at `rel` whose weights manifest names `shard` instead of its own file. */
function checkpointWithShard(source: string, rel: string, shard: string): string {
  const dir = ws(rel);
  cpSync(source, dir, { recursive: true });
  const modelJson = join(dir, 'model.json');
  const m = JSON.parse(readFileSync(modelJson, 'utf8')) as { weightsManifest: { paths: string[] }[] };
  m.weightsManifest[0].paths = [shard];
  writeFileSync(modelJson, JSON.stringify(m));
  return modelJson;
}

/** An IDX header: magic 0x0000 0x08 <rank>, then big-endian uint32 dims. */
function idxHeader(dims: number[]): Buffer {
  const b = Buffer.alloc(4 + 4 * dims.length);
  b.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  return b;
}

/** A .npy whose header claims `shape` while holding only the 12×6 float32 values after it. */
function lyingNpy(rel: string, shape: string): string {
  const honest = Buffer.from(npyBytes(new Float32Array(12 * 6).fill(0.5), [12, 6]));
  const headerLen = honest.readUInt16LE(8);
  const header = honest
    .subarray(10, 10 + headerLen)
    .toString('latin1')
    .replace('(12, 6)', shape);
  const padded = header.trimEnd().padEnd(headerLen - 1, ' ') + '\n';
  assert.equal(padded.length, headerLen, 'the lie fits the honest header length');
  const out = Buffer.concat([honest.subarray(0, 10), Buffer.from(padded, 'latin1'), honest.subarray(10 + headerLen)]);
  return writeWorkspaceFile(join('hostile', rel), out);
}

/** Writes gzip(header + `mebibytes` MiB of zeros) to `file`, streaming, so building the bomb never holds it in memory. */
async function writeGzipBomb(file: string, header: Buffer, mebibytes: number): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const zeros = Buffer.alloc(1024 * 1024);
  async function* body() {
    yield header;
    for (let i = 0; i < mebibytes; i++) yield zeros;
  }
  await pipeline(Readable.from(body()), createGzip({ level: 9 }), createWriteStream(file));
}

describe('Hostile inputs through the commands', function () {
  this.timeout(300_000);
  let onnx: string;
  let demo: string;
  let images: string;
  let labels: string;

  before(async () => {
    onnx = ws('models/tiny-cnn.onnx');
    mkdirSync(dirname(onnx), { recursive: true });
    copyFileSync(join(harness().extensionPath, 'test/fixtures/models/tiny-cnn.onnx'), onnx);
    demo = await makeDemoCheckpoint(ws('models/demo-cnn'), { inputSize: 16, dim: 16 });
    images = writeImageFolder('hostile/images', { classes: 3, perClass: 4, size: 16 });
    labels = writeWorkspaceFile('hostile/labels/labels.json', JSON.stringify(Array.from({ length: 12 }, (_, i) => `class_${i % 3}`)));
  });
  afterEach(closeAllEditors);

  it('Inspect: a garbage model.json is named in the error', async () => {
    const model = writeWorkspaceFile(
      'hostile/garbage-json/model.json',
      '{"modelTopology": {"class_name": "Sequential", "config": {"layers": [',
    );
    await expectRefusal({
      what: 'Inspect Embeddings on a truncated model.json',
      run: () =>
        vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(model), { dataset: images }),
      seconds: 30,
      names: [model],
      keep: [dirname(model), images],
      panel: 'embeddingLens.inspection',
    });
  });

  it('Fine-tune: a garbage model.json is named in the error and nothing is written', async () => {
    const model = writeWorkspaceFile('hostile/garbage-json-ft/model.json', '<!doctype html><p>404 Not Found</p>');
    const outDir = ws('garbage-json-ft-out');
    await expectRefusal({
      what: 'Fine-tune on an HTML page saved as model.json',
      run: () =>
        vscode.commands.executeCommand<FineTuneResult | undefined>('embeddingLens.fineTune', vscode.Uri.file(model), {
          dataset: images,
          settings: SETTINGS,
          outDir,
          noPrompt: true,
        }),
      seconds: 30,
      names: [model],
      keep: [dirname(model), images],
    });
    assert.equal(existsSync(outDir), false, 'no output folder was created');
  });

  it('Inspect: a weight shard "../../outside.bin" outside the checkpoint folder is refused, even one of the right size', async () => {
    // The outside file holds exactly the bytes the manifest expects: loading it would "work".
    const outside = ws('outside.bin');
    copyFileSync(join(demo, 'model.weights.bin'), outside);
    const model = checkpointWithShard(demo, 'escape/ckpt', '../../outside.bin');
    await expectRefusal({
      what: 'Inspect Embeddings on a model.json whose shard escapes its folder',
      run: () =>
        vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(model), { dataset: images }),
      seconds: 30,
      names: ['outside.bin'],
      keep: [ws('escape'), dirname(outside), images],
      panel: 'embeddingLens.inspection',
    });
  });

  it('Compare: a weight shard "/dev/zero" fails fast, naming it', async () => {
    const model = checkpointWithShard(demo, 'devzero/ckpt', '/dev/zero');
    const a = vscode.Uri.file(onnx);
    const b = vscode.Uri.file(model);
    await expectRefusal({
      what: 'Compare Embeddings with a model.json whose shard is /dev/zero',
      run: () => vscode.commands.executeCommand<ComparisonRun | undefined>('embeddingLens.compare', a, [a, b], { dataset: images }),
      seconds: 60,
      names: ['/dev/zero'],
      keep: [ws('devzero'), dirname(onnx), images],
      panel: 'embeddingLens.compare',
    });
  });

  it('Fine-tune: a weight shard that is a FIFO inside the checkpoint folder fails fast, naming it', async () => {
    const model = checkpointWithShard(demo, 'fifo-shard/ckpt', 'model.weights.bin');
    const shard = join(dirname(model), 'model.weights.bin');
    rmSync(shard);
    makeFifo(shard);
    const outDir = ws('fifo-shard-out');
    try {
      await expectRefusal({
        what: 'Fine-tune on a model.json whose shard is a FIFO',
        run: () =>
          vscode.commands.executeCommand<FineTuneResult | undefined>('embeddingLens.fineTune', vscode.Uri.file(model), {
            dataset: images,
            settings: SETTINGS,
            outDir,
            noPrompt: true,
          }),
        seconds: 60,
        names: ['model.weights.bin'],
        keep: [ws('fifo-shard'), images],
      });
    } finally {
      releaseFifo(shard);
    }
    assert.equal(existsSync(outDir), false, 'no output folder was created');
  });

  it('Compare: a truncated .onnx is named in the error', async () => {
    const whole = readFileSync(onnx);
    const cut = writeWorkspaceFile('hostile/truncated/tiny-cnn-cut.onnx', whole.subarray(0, Math.floor(whole.length / 2)));
    const a = vscode.Uri.file(onnx);
    const b = vscode.Uri.file(cut);
    await expectRefusal({
      what: 'Compare Embeddings with a truncated .onnx',
      run: () => vscode.commands.executeCommand<ComparisonRun | undefined>('embeddingLens.compare', a, [a, b], { dataset: images }),
      seconds: 60,
      names: [cut],
      keep: [dirname(cut), dirname(onnx), images],
      panel: 'embeddingLens.compare',
    });
  });

  it('Inspect: an .npy whose header promises a million rows it does not hold is named in the error', async () => {
    const npy = lyingNpy('lying-npy/rows.npy', '(1000000, 6)');
    await expectRefusal({
      what: 'Inspect Embeddings on an .npy with a lying shape',
      run: () =>
        vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(npy), { dataset: labels }),
      seconds: 30,
      names: [npy],
      keep: [dirname(npy), dirname(labels)],
      panel: 'embeddingLens.inspection',
    });
  });

  it('Compare: an .npy whose header claims 2³²×2³² values is named in the error', async () => {
    const good = writeWorkspaceFile(
      'hostile/lying-npy-b/good.npy',
      npyBytes(
        new Float32Array(12 * 6).map((_, i) => (i % 7) / 7),
        [12, 6],
      ),
    );
    const npy = lyingNpy('lying-npy-b/huge.npy', '(4294967296, 4294967296)');
    const a = vscode.Uri.file(good);
    const b = vscode.Uri.file(npy);
    await expectRefusal({
      what: 'Compare Embeddings with an .npy claiming 2^64 values',
      run: () => vscode.commands.executeCommand<ComparisonRun | undefined>('embeddingLens.compare', a, [a, b], { dataset: labels }),
      seconds: 60,
      names: [npy],
      keep: [dirname(npy), dirname(labels)],
      panel: 'embeddingLens.compare',
    });
  });

  it('Compare: a dataset folder with no images is named in the error', async () => {
    const empty = ws('no-images');
    writeWorkspaceFile('hostile/no-images/cats/notes.txt', 'not an image');
    writeWorkspaceFile('hostile/no-images/dogs/photo.png.txt', 'still not an image');
    const a = vscode.Uri.file(onnx);
    await expectRefusal({
      what: 'Compare Embeddings on a folder without images',
      run: () => vscode.commands.executeCommand<ComparisonRun | undefined>('embeddingLens.compare', a, [a, a], { dataset: empty }),
      seconds: 60,
      names: [empty],
      keep: [empty, dirname(onnx)],
      panel: 'embeddingLens.compare',
    });
  });

  it('Fine-tune: a dataset folder with no images is named in the error and nothing is written', async () => {
    const empty = ws('no-images-ft');
    writeWorkspaceFile('hostile/no-images-ft/shoes/README.md', '# shoes\n');
    const outDir = ws('no-images-ft-out');
    await expectRefusal({
      what: 'Fine-tune on a folder without images',
      run: () =>
        vscode.commands.executeCommand<FineTuneResult | undefined>('embeddingLens.fineTune', vscode.Uri.file(join(demo, 'model.json')), {
          dataset: empty,
          settings: SETTINGS,
          outDir,
          noPrompt: true,
        }),
      seconds: 60,
      names: [empty],
      keep: [empty, demo],
    });
    assert.equal(existsSync(outDir), false, 'no output folder was created');
  });

  it("Fine-tune: an output folder holding a fine-tune.json and the user's own file is refused, untouched", async () => {
    // A dataset fine-tuning accepts (4 classes to train on, 2 held out), so only the output folder is wrong.
    const trainable = writeImageFolder('hostile/images-6', { classes: 6, perClass: 6, size: 16 });
    const outDir = ws('ft-user-out');
    writeWorkspaceFile('hostile/ft-user-out/fine-tune.json', JSON.stringify({ complete: true, history: [] }));
    writeWorkspaceFile('hostile/ft-user-out/thesis.tex', '\\documentclass{article}\\begin{document}Chapter 1\\end{document}\n');
    await expectRefusal({
      what: "Fine-tune into a folder holding the user's thesis",
      run: () =>
        vscode.commands.executeCommand<FineTuneResult | undefined>('embeddingLens.fineTune', vscode.Uri.file(join(demo, 'model.json')), {
          dataset: trainable,
          settings: SETTINGS,
          outDir,
          noPrompt: true,
        }),
      seconds: 60,
      names: [outDir],
      keep: [outDir, demo, trainable],
    });
  });

  it('Inspect: an IDX labels .gz whose header claims 3·10⁹ labels fails fast, naming the file, without inflating it', async () => {
    // A gzip bomb: 1 GiB of zeros behind a header that promises three billion labels, ~1 MiB on disk.
    const dir = ws('idx-bomb');
    writeWorkspaceFile(
      'hostile/idx-bomb/train-images-idx3-ubyte.gz',
      gzipSync(Buffer.concat([idxHeader([3_000_000_000, 28, 28]), Buffer.alloc(28 * 28 * 4)])),
    );
    const bomb = join(dir, 'train-labels-idx1-ubyte.gz');
    await writeGzipBomb(bomb, idxHeader([3_000_000_000]), 1024);
    assert.ok(statSync(bomb).size < 4 * 1024 * 1024, 'the bomb is small on disk');
    // The extension host's peak resident memory (this suite runs in it): inflating the bomb whole
    // would lift it by about 1 GiB over what the host holds now.
    const floor = Math.max(process.resourceUsage().maxRSS * 1024, process.memoryUsage().rss);
    await expectRefusal({
      what: 'Inspect Embeddings on an IDX gzip bomb',
      run: () =>
        vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(onnx), { dataset: dir }),
      seconds: 30,
      names: [join(dir, 'train-')],
      keep: [dir, dirname(onnx)],
      // No panel: Inspect checks the dataset (its listing and headers, no pixels) before it opens one.
    });
    const grew = process.resourceUsage().maxRSS * 1024 - floor;
    assert.ok(grew < 256 * 1024 * 1024, `the host's peak memory grew by ${(grew / 2 ** 20).toFixed(0)} MiB: the bomb was inflated`);
  });

  it('Inspect: a manifest listing a FIFO does not hang; the FIFO is skipped and named in the log', async () => {
    const dir = ws('fifo');
    cpSync(images, join(dir, 'img'), { recursive: true });
    const fifo = join(dir, 'img', 'class_0', 'stuck.png');
    makeFifo(fifo);
    const rows = ['path,label'];
    for (let c = 0; c < 3; c++) for (let i = 0; i < 4; i++) rows.push(`img/class_${c}/img_${i}.png,class_${c}`);
    rows.push('img/class_0/stuck.png,class_0');
    const manifest = writeWorkspaceFile('hostile/fifo/manifest.csv', rows.join('\n') + '\n');
    const before = snapshotTree(dir);
    const mark = hostLogMark();
    try {
      const run = await within(
        90,
        'Inspect Embeddings on a manifest listing a FIFO',
        vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(onnx), { dataset: manifest }),
      );
      assert.ok(run && !run.cancelled, 'the inspection runs on the regular files');
      assert.equal(run.data.items?.n, 12, 'the 12 images, without the FIFO');
      await waitFor('the FIFO named in the log', () => outputChannelLog().includes(fifo) || undefined);
    } finally {
      releaseFifo(fifo);
    }
    await assertNoUnhandledErrors(mark);
    assert.deepEqual(snapshotTree(dir), before, 'every file under the dataset is unchanged');
    await assertResponsive();
  });
});
