// Outputs and data loss (issue #14 items 1–6): nothing the user owns is written over or deleted —
// not by `demo --out`, not by a fine-tune into a folder holding something else or the source
// itself (through a symlink or a hard link), not by a rerun, not by a report named like an input,
// not by a full disk. Every refusal happens before any work and says which file and why.
import { spawnSync } from 'node:child_process';
import { linkSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../harness.mjs';

const cli = join(root, 'dist/cli.js');
const FAST = { seconds: 20, rssMB: 700 };
const TRAIN = { seconds: 120, rssMB: 2500 };
/** What the asset checkpoint folder holds, as a fine-tune.json `files` list records it. */
const MODEL_FILES = ['model.json', 'model.weights.bin', 'embedding-lens.json', '.embedding-lens-demo.json'];

/** A finished fine-tune of the asset model in `dir/out`, made by the real CLI (setup of rerun cases). */
function fineTuneOnce(dir, args = []) {
  const r = spawnSync(
    process.execPath,
    [
      cli,
      'finetune',
      'model/model.json',
      'data',
      '--out',
      'out',
      '--epochs',
      '1',
      '--pk',
      '2,3',
      '--backend',
      'cpu',
      '--seed',
      '3',
      ...args,
    ],
    {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  if (r.status !== 0) throw new Error(`setup fine-tune failed (${r.status}): ${r.stderr}`);
}

/** A finished demo run in `dir/P` (setup of the demo rerun cases). */
function demoOnce(dir) {
  const r = spawnSync(process.execPath, [cli, 'demo', '--out', 'P', '--per-class', '4', '--epochs', '1'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (r.status !== 0) throw new Error(`setup demo failed (${r.status}): ${r.stderr}`);
}

function modelAndData({ dir, assets, h }) {
  h.copy(assets.model, join(dir, 'model'));
  h.copy(assets.dataset, join(dir, 'data'));
}

/** Sets the earlier run's recorded best map@r (what a rerun must beat) without touching its split. */
function setEarlierBest(file, mapAtR) {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  for (const e of j.history) if (e.epoch === j.bestEpoch) e.val.mapAtR = mapAtR;
  writeFileSync(file, JSON.stringify(j, null, 2) + '\n');
}

/** A tmpfs of `kb` KiB holding `prev` (a good earlier output) and a filler that takes every free byte. */
function fullDisk(h, path, kb, prevName, prevContent) {
  h.tmpfs(path, kb);
  writeFileSync(join(path, prevName), prevContent);
  const chunk = Buffer.alloc(4096, 7);
  let i = 0;
  try {
    for (;;) writeFileSync(join(path, `filler-${i++}`), chunk);
  } catch {
    // ENOSPC: the disk is full, as wanted.
  }
}

/** A tmpfs of `kb` KiB filled until about `freeKB` KiB are left (enough for a small probe, not for a checkpoint). */
function nearlyFullDisk(h, path, kb, freeKB) {
  h.tmpfs(path, kb);
  const chunk = Buffer.alloc(4096, 7);
  for (let i = 0; ; i++) {
    const st = statfsSync(path);
    if (st.bavail * st.bsize <= freeKB * 1024) break;
    writeFileSync(join(path, `filler-${i}`), chunk);
  }
}

const precomputed = ({ dir, assets, h }) => {
  h.copy(assets.npy, join(dir, 'e.npy'));
  h.copy(assets.labels, join(dir, 'labels.json'));
};

export const cases = [
  // ── item 1: demo --out ────────────────────────────────────────────────────────────────
  {
    name: 'demo --out refuses a folder it did not create (a user model in P/checkpoint)',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.onnx, join(dir, 'P/checkpoint/my.onnx'));
      h.write(join(dir, 'P/checkpoint/notes.txt'), 'my notes');
    },
    args: () => ['demo', '--out', 'P', '--per-class', '4', '--epochs', '1'],
    expect: { code: 1, stderr: /P: already exists and is not a demo folder.*did not create/, ...FAST },
  },
  {
    name: 'demo --out refuses its own earlier folder once a user file was added (names it)',
    setup: ({ dir, h }) => {
      h.write(
        join(dir, 'P/.embedding-lens-demo.json'),
        JSON.stringify({ generator: 'embedding-lens demo', files: ['checkpoint', 'checkpoint/model.json', 'summary.json'] }),
      );
      h.write(join(dir, 'P/checkpoint/model.json'), '{}');
      h.write(join(dir, 'P/summary.json'), '{}');
      h.write(join(dir, 'P/checkpoint/my.onnx'), 'user model');
    },
    args: () => ['demo', '--out', 'P', '--per-class', '4', '--epochs', '1'],
    expect: { code: 1, stderr: /holds checkpoint\/my\.onnx, which the demo did not create/, ...FAST },
  },
  {
    name: 'demo --out refuses a folder where only P/dataset carries the old dataset marker',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'P/dataset'));
      h.write(join(dir, 'P/dataset/.embedding-lens-demo.json'), JSON.stringify({ generator: 'embedding-lens demo product images' }));
      h.write(join(dir, 'P/thesis.tex'), '\\documentclass{article}');
    },
    args: () => ['demo', '--out', 'P', '--per-class', '4', '--epochs', '1'],
    expect: { code: 1, stderr: /not a demo folder/, ...FAST },
  },
  {
    name: 'demo --out refuses a marker without the list of written files',
    setup: ({ dir, h }) => {
      h.write(join(dir, 'P/.embedding-lens-demo.json'), JSON.stringify({ generator: 'embedding-lens demo' }));
      h.write(join(dir, 'P/report.html'), '<p>mine</p>');
    },
    args: () => ['demo', '--out', 'P'],
    expect: { code: 1, stderr: /without a list of the files the demo wrote/, ...FAST },
  },
  {
    name: 'demo --out whose marker is a FIFO refuses at once instead of hanging on it',
    setup: ({ dir, h }) => {
      h.mkfifo(join(dir, 'P/.embedding-lens-demo.json'));
      h.write(join(dir, 'P/report.html'), '<p>mine</p>');
    },
    args: () => ['demo', '--out', 'P'],
    expect: { code: 1, stderr: /P: has a \.embedding-lens-demo\.json without a list/, ...FAST },
  },
  {
    name: 'demo --out refuses an existing file',
    setup: ({ dir, h }) => h.write(join(dir, 'P'), 'a file'),
    args: () => ['demo', '--out', 'P'],
    expect: { code: 1, stderr: /P: exists and is not a folder/, ...FAST },
  },
  {
    name: 'demo --out refuses a symlink to a folder of the user',
    setup: ({ dir, h }) => {
      h.write(join(dir, 'mine/notes.txt'), 'notes');
      h.symlink('mine', join(dir, 'P'));
    },
    args: () => ['demo', '--out', 'P'],
    expect: { code: 1, stderr: /P: is a symbolic link/, ...FAST },
  },

  {
    name: 'demo rerun into its own earlier output replaces it (only what it wrote is there)',
    setup: ({ dir }) => demoOnce(dir),
    args: () => ['demo', '--out', 'P', '--per-class', '4', '--epochs', '1'],
    expect: { code: 0, seconds: 120, rssMB: 2500 },
    changes: ['P'],
    check: ({ dir, h }) => {
      if (!h.exists(join(dir, 'P/checkpoint-eet/model.json'))) throw new Error('no fine-tuned checkpoint after the rerun');
      if (h.exists(join(dir, 'P/checkpoint-eet-run-2'))) throw new Error('the rerun left P/checkpoint-eet-run-2 behind');
    },
  },
  {
    name: 'demo rerun refuses at once when its fine-tuned checkpoint folder gained a user file',
    setup: ({ dir, h }) => {
      demoOnce(dir);
      h.write(join(dir, 'P/checkpoint-eet/notes.txt'), 'mine');
    },
    args: () => ['demo', '--out', 'P', '--per-class', '4', '--epochs', '1'],
    expect: { code: 1, stderr: /checkpoint-eet: holds notes\.txt, which a fine-tune did not write/, ...FAST },
  },

  // ── item 2: finetune --out holding more than a fine-tune wrote ─────────────────────────
  {
    name: 'finetune --out refuses an earlier output that also holds thesis.tex',
    setup: (a) => {
      modelAndData(a);
      const { dir, assets, h } = a;
      h.copy(assets.model, join(dir, 'out'));
      h.write(join(dir, 'out/fine-tune.json'), JSON.stringify({ history: [], files: MODEL_FILES }));
      h.write(join(dir, 'out/thesis.tex'), '\\documentclass{article}');
    },
    args: () => ['finetune', 'model/model.json', 'data', '--out', 'out', '--backend', 'cpu'],
    expect: { code: 1, stderr: /out: holds thesis\.tex, which a fine-tune did not write/, ...FAST },
  },
  {
    name: 'finetune --out whose fine-tune.json is a FIFO refuses at once instead of hanging on it',
    setup: (a) => {
      modelAndData(a);
      a.h.copy(a.assets.model, join(a.dir, 'out'));
      a.h.mkfifo(join(a.dir, 'out/fine-tune.json'));
    },
    args: () => ['finetune', 'model/model.json', 'data', '--out', 'out', '--backend', 'cpu'],
    expect: { code: 1, stderr: /out: already exists and is not an earlier fine-tune output/, ...FAST },
  },
  {
    name: 'finetune --out refuses an earlier output that holds the training dataset',
    setup: (a) => {
      modelAndData(a);
      const { dir, assets, h } = a;
      h.copy(assets.model, join(dir, 'out'));
      h.copy(assets.dataset, join(dir, 'out/images'));
      h.write(join(dir, 'out/fine-tune.json'), JSON.stringify({ history: [], files: MODEL_FILES }));
    },
    args: () => ['finetune', 'model/model.json', 'out/images', '--out', 'out', '--backend', 'cpu'],
    expect: { code: 1, stderr: /out: holds (the dataset|images)/, ...FAST },
  },
  {
    name: 'finetune --out refuses an older fine-tune output without its file list',
    setup: (a) => {
      modelAndData(a);
      const { dir, assets, h } = a;
      h.copy(assets.model, join(dir, 'out'));
      h.write(join(dir, 'out/fine-tune.json'), JSON.stringify({ history: [{ epoch: 0, val: { mapAtR: 0.5 } }], bestEpoch: 0 }));
    },
    args: () => ['finetune', 'model/model.json', 'data', '--out', 'out', '--backend', 'cpu'],
    expect: { code: 1, stderr: /without the list of files it wrote/, ...FAST },
  },

  // ── item 3: never over the source, through symlinks and hard links ───────────────────────
  {
    name: 'finetune latest/model.json --out src refuses when latest is a symlink to src',
    setup: ({ dir, assets, h }) => {
      // src is itself an earlier fine-tune output (as `latest` usually points at one).
      h.copy(assets.model, join(dir, 'src'));
      h.write(join(dir, 'src/fine-tune.json'), JSON.stringify({ history: [], files: MODEL_FILES }));
      h.copy(assets.dataset, join(dir, 'data'));
      h.symlink('src', join(dir, 'latest'));
    },
    args: () => ['finetune', 'latest/model.json', 'data', '--out', 'src', '--backend', 'cpu'],
    expect: { code: 1, stderr: /src: is the source checkpoint's folder/, ...FAST },
  },
  {
    name: 'finetune --out refuses a symlink that points at the source folder',
    setup: (a) => {
      modelAndData(a);
      a.h.write(join(a.dir, 'model/fine-tune.json'), JSON.stringify({ history: [], files: MODEL_FILES }));
      a.h.symlink('model', join(a.dir, 'out'));
    },
    args: () => ['finetune', 'model/model.json', 'data', '--out', 'out', '--backend', 'cpu'],
    expect: { code: 1, stderr: /is the source checkpoint's folder/, ...FAST },
  },
  {
    name: 'finetune --out refuses an earlier output holding a hard link to the source weights',
    setup: (a) => {
      modelAndData(a);
      const { dir, h } = a;
      h.write(join(dir, 'out/fine-tune.json'), JSON.stringify({ history: [], files: ['model.weights.bin'] }));
      linkSync(join(dir, 'model/model.weights.bin'), join(dir, 'out/model.weights.bin'));
    },
    args: () => ['finetune', 'model/model.json', 'data', '--out', 'out', '--backend', 'cpu'],
    expect: { code: 1, stderr: /holds model\.weights\.bin, which is the same file as .*model\/model\.weights\.bin/, ...FAST },
  },
  {
    name: 'finetune --out refuses a folder inside the dataset',
    setup: modelAndData,
    args: () => ['finetune', 'model/model.json', 'data', '--out', 'data/tuned', '--backend', 'cpu'],
    expect: { code: 1, stderr: /is inside the dataset/, ...FAST },
  },
  {
    name: 'finetune --json refuses to write its summary over the source model.json',
    setup: modelAndData,
    args: () => ['finetune', 'model/model.json', 'data', '--out', 'new', '--json', 'model/model.json', '--backend', 'cpu'],
    expect: { code: 1, stderr: /model\.json: --json is an input of this run/, ...FAST },
  },

  // ── unclear errors: the output location is checked before any image loads ────────────────
  {
    name: 'finetune --out on a full disk fails at once, before the dataset loads',
    setup: (a) => {
      modelAndData(a);
      fullDisk(a.h, join(a.dir, 'disk'), 256, 'keep.txt', 'keep me');
    },
    args: () => ['finetune', 'model/model.json', 'data', '--out', 'disk/tuned', '--backend', 'cpu'],
    expect: { code: 1, stderr: /disk\/tuned: cannot be written \(the disk is full\)/, ...FAST },
    check: ({ result }) => {
      if (/epoch 0|Loading|Decoding/i.test(result.stderr)) throw new Error('work started before the output was checked');
    },
  },
  {
    name: 'finetune --out on a disk that fills while saving epoch 0: one line, no half folder',
    setup: (a) => {
      modelAndData(a);
      // The probe (64 KiB) still fits; the checkpoint (about 110 KiB of weights) does not.
      nearlyFullDisk(a.h, join(a.dir, 'disk'), 512, 88);
    },
    args: () => ['finetune', 'model/model.json', 'data', '--out', 'disk/tuned', '--epochs', '1', '--pk', '2,3', '--backend', 'cpu'],
    expect: { code: 1, stderr: /disk\/tuned: could not be written \(the disk is full\); nothing was replaced/, ...TRAIN },
    check: ({ dir, h }) => {
      if (h.exists(join(dir, 'disk/tuned'))) throw new Error('a half-written disk/tuned was left');
    },
  },
  {
    name: 'finetune --out in a read-only folder fails at once (as a normal user)',
    user: 'nobody',
    setup: (a) => {
      modelAndData(a);
      a.h.write(join(a.dir, 'ro/keep.txt'), 'keep');
      a.h.chmod(join(a.dir, 'ro'), 0o555);
    },
    args: () => ['finetune', 'model/model.json', 'data', '--out', 'ro/tuned', '--backend', 'cpu'],
    expect: { code: 1, stderr: /ro\/tuned: cannot be written \(permission denied\)/, ...FAST },
  },
  {
    name: 'finetune --lr 0 is a usage error (exit 2)',
    setup: modelAndData,
    args: () => ['finetune', 'model/model.json', 'data', '--out', 'new', '--lr', '0'],
    expect: { code: 2, stderr: /--lr expects a number > 0/, ...FAST },
  },

  // ── item 4: a rerun into the same --out ──────────────────────────────────────────────────
  {
    name: 'finetune rerun into the same --out, Ctrl-C after 2 s: the earlier result is intact',
    setup: (a) => {
      modelAndData(a);
      fineTuneOnce(a.dir);
    },
    args: () => [
      'finetune',
      'model/model.json',
      'data',
      '--out',
      'out',
      '--epochs',
      '50',
      '--pk',
      '2,3',
      '--backend',
      'cpu',
      '--seed',
      '3',
    ],
    signal: { when: /epoch 0:/ },
    expect: { code: 1, stderr: /cancelled/, ...TRAIN },
    check: ({ dir, h }) => {
      if (!h.exists(join(dir, 'out-run-2/fine-tune.json'))) throw new Error('the cancelled run should be kept beside, in out-run-2');
    },
  },
  {
    name: 'finetune rerun into the same --out, Ctrl-C 2 s after start: the earlier result is intact',
    setup: (a) => {
      modelAndData(a);
      fineTuneOnce(a.dir);
    },
    args: () => [
      'finetune',
      'model/model.json',
      'data',
      '--out',
      'out',
      '--epochs',
      '50',
      '--pk',
      '2,3',
      '--backend',
      'cpu',
      '--seed',
      '3',
    ],
    signal: { after: 2 },
    expect: { code: 1, stderr: /cancelled/, ...TRAIN },
  },
  {
    name: 'finetune rerun that does not beat the earlier best keeps it and says where the new run is',
    setup: (a) => {
      modelAndData(a);
      fineTuneOnce(a.dir);
      setEarlierBest(join(a.dir, 'out/fine-tune.json'), 1);
    },
    args: () => ['finetune', 'model/model.json', 'data', '--out', 'out', '--epochs', '1', '--pk', '2,3', '--backend', 'cpu', '--seed', '3'],
    expect: {
      code: 0,
      stderr: /earlier result in .*out is kept: this run did not beat its best map@r 1\.0000; this run is in .*out-run-2/,
      ...TRAIN,
    },
  },
  {
    name: 'finetune rerun that beats the earlier best replaces it',
    setup: (a) => {
      modelAndData(a);
      fineTuneOnce(a.dir);
      setEarlierBest(join(a.dir, 'out/fine-tune.json'), -1);
    },
    args: () => ['finetune', 'model/model.json', 'data', '--out', 'out', '--epochs', '1', '--pk', '2,3', '--backend', 'cpu', '--seed', '3'],
    expect: { code: 0, stderr: /this run beat the earlier result/, ...TRAIN },
    changes: ['out'],
    check: ({ dir, h }) => {
      const j = JSON.parse(readFileSync(join(dir, 'out/fine-tune.json'), 'utf8'));
      if (j.history.some((e) => e.val.mapAtR === -1)) throw new Error('out still holds the earlier run');
      if (h.exists(join(dir, 'out-run-2'))) throw new Error('out-run-2 should have been moved into out');
    },
  },

  // ── item 5: report / JSON / npy outputs never over an input ─────────────────────────────
  {
    name: 'inspect cnn.onnx images --out cnn.onnx is refused (wrong extension, exit 2)',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.onnx, join(dir, 'cnn.onnx'));
      h.copy(assets.dataset, join(dir, 'images'));
    },
    args: () => ['inspect', 'cnn.onnx', 'images', '--out', 'cnn.onnx'],
    expect: { code: 2, stderr: /--out must name a \.html file, got "cnn\.onnx"/, ...FAST },
  },
  {
    name: 'inspect --json over the checkpoint model.json is refused',
    setup: modelAndData,
    args: () => ['inspect', 'model/model.json', 'data', '--json', 'model/model.json'],
    expect: { code: 1, stderr: /model\.json: --json is an input of this run/, ...FAST },
  },
  {
    name: 'inspect --json over the checkpoint sidecar embedding-lens.json is refused',
    setup: modelAndData,
    args: () => ['inspect', 'model', 'data', '--json', 'model/embedding-lens.json'],
    expect: { code: 1, stderr: /embedding-lens\.json: --json is (an input|inside)/, ...FAST },
  },
  {
    name: 'inspect --out inside the dataset folder is refused',
    setup: modelAndData,
    args: () => ['inspect', 'model/model.json', 'data', '--out', 'data/report.html'],
    expect: { code: 1, stderr: /report\.html: --out is inside .*data, an input of this run/, ...FAST },
  },
  {
    name: 'metrics --out over its labels file is refused',
    setup: precomputed,
    args: () => ['metrics', '--embeddings', 'e.npy', '--labels', 'labels.json', '--out', 'labels.json'],
    expect: { code: 1, stderr: /labels\.json: --out is an input of this run/, ...FAST },
  },
  {
    name: 'metrics --out over a hard link to its labels file is refused',
    setup: (a) => {
      precomputed(a);
      linkSync(join(a.dir, 'labels.json'), join(a.dir, 'result.json'));
    },
    args: () => ['metrics', '--embeddings', 'e.npy', '--labels', 'labels.json', '--out', 'result.json'],
    expect: { code: 1, stderr: /result\.json: --out is the same file as .*labels\.json/, ...FAST },
  },
  {
    name: 'metrics --out through a symlink is refused (the link would be replaced)',
    setup: (a) => {
      precomputed(a);
      a.h.write(join(a.dir, 'elsewhere/result.json'), '{"mine": true}\n');
      a.h.symlink('elsewhere/result.json', join(a.dir, 'result.json'));
    },
    args: () => ['metrics', '--embeddings', 'e.npy', '--labels', 'labels.json', '--out', 'result.json'],
    expect: { code: 1, stderr: /result\.json: --out is a symbolic link/, ...FAST },
  },
  {
    name: 'project --out over its own embeddings is refused',
    setup: precomputed,
    args: () => ['project', '--embeddings', 'e.npy', '--out', 'e.npy', '--method', 'pca'],
    expect: { code: 1, stderr: /e\.npy: --out is an input of this run/, ...FAST },
  },
  {
    name: 'project --out naming a folder is refused before any work',
    setup: (a) => {
      precomputed(a);
      a.h.write(join(a.dir, 'xy.npy/keep.txt'), 'keep');
    },
    args: () => ['project', '--embeddings', 'e.npy', '--out', 'xy.npy', '--method', 'pca'],
    expect: { code: 1, stderr: /xy\.npy: --out is a folder/, ...FAST },
  },
  {
    name: 'embed --out naming a FIFO is refused at once (no hang)',
    setup: (a) => {
      precomputed(a);
      a.h.mkfifo(join(a.dir, 'out.npy'));
    },
    args: () => ['embed', 'e.npy', 'labels.json', '--out', 'out.npy', '--no-cache'],
    expect: { code: 1, stderr: /out\.npy: --out exists and is not a regular file/, ...FAST },
  },
  {
    name: 'embed --json naming the .meta.json that --out writes is refused',
    setup: precomputed,
    args: () => ['embed', 'e.npy', 'labels.json', '--out', 'x.npy', '--json', 'x.meta.json', '--no-cache'],
    expect: { code: 1, stderr: /x\.meta\.json: is named by both/, ...FAST },
  },
  {
    name: 'eet --out with a .txt extension is a usage error',
    setup: precomputed,
    args: () => ['eet', '--embeddings', 'e.npy', '--labels', 'labels.json', '--out', 'terms.txt'],
    expect: { code: 2, stderr: /--out must name a \.json file/, ...FAST },
  },
  {
    name: 'eet --out into a missing folder fails before reading the inputs',
    setup: precomputed,
    args: () => ['eet', '--embeddings', 'e.npy', '--labels', 'labels.json', '--out', 'no/such/dir/terms.json'],
    expect: { code: 1, stderr: /terms\.json: --out cannot be written: its folder .*no\/such\/dir does not exist/, ...FAST },
  },
  {
    name: 'metrics --out into a read-only folder fails before any work (as a normal user)',
    user: 'nobody',
    setup: (a) => {
      precomputed(a);
      a.h.write(join(a.dir, 'ro/old.json'), '{}');
      a.h.chmod(join(a.dir, 'ro'), 0o555);
    },
    args: () => ['metrics', '--embeddings', 'e.npy', '--labels', 'labels.json', '--out', 'ro/m.json'],
    expect: { code: 1, stderr: /m\.json: --out cannot be written: its folder .*ro is not writable \(permission denied\)/, ...FAST },
  },
  {
    name: 'metrics --out over a read-only file is refused (as a normal user)',
    user: 'nobody',
    setup: (a) => {
      precomputed(a);
      a.h.write(join(a.dir, 'keep.json'), '{"keep": true}\n');
      a.h.chmod(join(a.dir, 'keep.json'), 0o444);
    },
    args: () => ['metrics', '--embeddings', 'e.npy', '--labels', 'labels.json', '--out', 'keep.json'],
    expect: { code: 1, stderr: /keep\.json: --out is read-only \(permission denied\)/, ...FAST },
  },
  {
    name: 'compare --json over the labels file is refused',
    setup: (a) => {
      precomputed(a);
      a.h.copy(a.assets.npy, join(a.dir, 'e2.npy'));
    },
    args: () => ['compare', 'e.npy', 'e2.npy', 'labels.json', '--json', 'labels.json'],
    expect: { code: 1, stderr: /labels\.json: --json is an input of this run/, ...FAST },
  },

  // ── item 6: atomic outputs on a full disk ────────────────────────────────────────────────
  {
    name: 'metrics --out on a full disk keeps the previous file and says so in one line',
    setup: (a) => {
      precomputed(a);
      fullDisk(a.h, join(a.dir, 'disk'), 128, 'm.json', '{"previous": true}\n');
    },
    args: () => ['metrics', '--embeddings', 'e.npy', '--labels', 'labels.json', '--out', 'disk/m.json'],
    expect: { code: 1, stderr: /disk\/m\.json: could not be written \(the disk is full\); nothing was replaced/, ...FAST },
  },
  {
    name: 'project --out on a full disk keeps the previous .npy intact',
    setup: (a) => {
      precomputed(a);
      fullDisk(a.h, join(a.dir, 'disk'), 128, 'prev.npy', readFileSync(a.assets.npy));
    },
    args: () => ['project', '--embeddings', 'e.npy', '--out', 'disk/prev.npy', '--method', 'pca'],
    expect: { code: 1, stderr: /disk\/prev\.npy: could not be written \(the disk is full\); nothing was replaced/, ...FAST },
  },
  {
    name: 'inspect --out on a full disk keeps the previous report intact',
    setup: (a) => {
      precomputed(a);
      fullDisk(a.h, join(a.dir, 'disk'), 256, 'report.html', '<p>previous report</p>\n');
    },
    args: () => ['inspect', 'e.npy', 'labels.json', '--out', 'disk/report.html', '--no-cache'],
    expect: {
      code: 1,
      stderr: /disk\/report\.html: could not be written \(the disk is full\); nothing was replaced/,
      seconds: 60,
      rssMB: 1500,
    },
  },

  // ── CSV formula injection ───────────────────────────────────────────────────────────────
  {
    name: 'compare --csv writes formula-like labels as text (OWASP prefix)',
    setup: (a) => {
      precomputed(a);
      a.h.copy(a.assets.npy, join(a.dir, 'e2.npy'));
      const names = ['=HYPERLINK("http://evil","x")', '+cmd|calc', '-2+3', '@SUM(A1)'];
      a.h.write(join(a.dir, 'bad-labels.json'), JSON.stringify(Array.from({ length: 24 }, (_, i) => names[Math.floor(i / 6)])));
    },
    args: () => ['compare', 'e.npy', 'e2.npy', 'bad-labels.json', '--csv', 'csv', '--json', 'deltas.json', '--no-cache'],
    expect: { code: 0, seconds: 60, rssMB: 1500 },
    check: ({ dir }) => {
      const text = readFileSync(join(dir, 'csv/classes.csv'), 'utf8');
      for (const bad of ['=HYPERLINK', '+cmd', '-2+3', '@SUM']) {
        const cells = text
          .split('\n')
          .slice(1)
          .map((l) => l.split(',')[1] ?? '');
        if (cells.some((c) => c.startsWith(bad) || c.startsWith(`"${bad}`)))
          throw new Error(`a cell starts with ${bad} unescaped:\n${text}`);
      }
      if (!/(^|,)"?'=HYPERLINK/m.test(text)) throw new Error(`=HYPERLINK is not prefixed with ':\n${text}`);
    },
  },

  // ── the fine-tune record a comparison reads for its held-out classes ───────────────────
  {
    name: 'compare with a FIFO fine-tune.json beside B does not hang: every item is scored and the note says why',
    setup: (a) => {
      precomputed(a);
      a.h.copy(a.assets.npy, join(a.dir, 'ft/e.npy'));
      a.h.mkfifo(join(a.dir, 'ft/fine-tune.json'));
    },
    args: () => ['compare', 'e.npy', 'ft/e.npy', 'labels.json', '--json', 'deltas.json', '--no-cache'],
    expect: { code: 0, seconds: 60, rssMB: 1500 },
    check: ({ dir }) => {
      const j = JSON.parse(readFileSync(join(dir, 'deltas.json'), 'utf8'));
      if (j.items !== undefined) throw new Error(`no held-out scope expected from an unreadable record, got ${JSON.stringify(j.items)}`);
      if (!j.b.notes.some((n) => /ft is a fine-tune whose fine-tune\.json does not name the classes it trained on/.test(n)))
        throw new Error(`B's notes do not say why: ${JSON.stringify(j.b.notes)}`);
    },
  },
  {
    name: 'compare with a fine-tune.json naming 10^5 classes the data does not have: every item counts as held out, in bounded time',
    setup: (a) => {
      precomputed(a);
      a.h.copy(a.assets.npy, join(a.dir, 'ft/e.npy'));
      a.h.write(
        join(a.dir, 'ft/fine-tune.json'),
        JSON.stringify({ validation: { trainedClasses: Array.from({ length: 100_000 }, (_, i) => `not-a-class-${i}`) } }),
      );
    },
    args: () => ['compare', 'e.npy', 'ft/e.npy', 'labels.json', '--json', 'deltas.json', '--no-cache'],
    expect: { code: 0, seconds: 60, rssMB: 1500 },
    check: ({ dir }) => {
      const j = JSON.parse(readFileSync(join(dir, 'deltas.json'), 'utf8'));
      if (j.items?.items !== 'held-out' || j.items.heldOutItems !== j.items.totalItems || j.items.seenItems !== 0)
        throw new Error(`expected every item held out: ${JSON.stringify(j.items)}`);
    },
  },
];
