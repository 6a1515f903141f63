// Browser tests of the fine-tune panel (dist/training.js) in real Chromium: the page VS Code shows
// (src/host/trainingHtml.ts, same CSP), with a stubbed VS Code API that records what the page posts.
// A scripted run of stage/step/epoch/finished messages is fed in; the charts, table and summary are
// read back from the DOM and the page's test hook (window.trainingLens).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tsImport } from 'tsx/esm/api';
import { root } from './pages.mjs';

let built;
/** Builds the training page once per run and returns its file:// URL and the protocol module. */
async function trainingPage(outDir) {
  if (built) return built;
  const bundle = join(root, 'dist/training.js');
  if (!existsSync(bundle)) {
    const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
    if (r.status !== 0 || !existsSync(bundle)) throw new Error('build failed: dist/training.js is missing');
  }
  const { trainingHtml } = await tsImport(join(root, 'src/host/trainingHtml.ts'), import.meta.url);
  const { makeNonce } = await tsImport(join(root, 'src/core/report/panelHtml.ts'), import.meta.url);
  const protocol = await tsImport(join(root, 'src/trainingProtocol.ts'), import.meta.url);
  const css = `${readFileSync(join(root, 'media/panel.css'), 'utf8')}\n${readFileSync(join(root, 'media/training.css'), 'utf8')}`;
  const html = trainingHtml({
    cspSource: 'file:',
    nonce: makeNonce(),
    scriptUri: `file://${bundle}`,
    css,
    title: 'Fine-tune test',
    // VS Code injects the theme variables; the standalone ones from panel.css stand in for them.
    bodyClass: 'lens-standalone vscode-dark',
  });
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'training.html');
  writeFileSync(file, html);
  built = { url: `file://${file}`, protocol };
  return built;
}

const SETTINGS = {
  epochs: 3,
  lr: 1e-4,
  margin: 0.3,
  weights: [1, 1, 1],
  pk: [4, 4],
  normalize: true,
  train: 'all',
  validation: 'class-disjoint',
  valFraction: 0.2,
  maxValItems: 2000,
  seed: 42,
};
const RUN = {
  checkpoint: '/data/models/cnn/model.json',
  dataset: '/data/products',
  outDir: '/data/models/cnn-eet-1',
  checkpointKind: 'tfjs-layers',
  settings: SETTINGS,
  backendSetting: 'auto',
};
const STEPS_PER_EPOCH = 5;

function scriptedSteps(epoch) {
  return Array.from({ length: STEPS_PER_EPOCH }, (_, i) => {
    const loss = 1.2 / (1 + 0.3 * ((epoch - 1) * STEPS_PER_EPOCH + i)) + 0.05 * ((i * 7) % 3);
    return {
      epoch,
      step: i + 1,
      stepsPerEpoch: STEPS_PER_EPOCH,
      loss,
      mc: loss * 0.5,
      ec: loss * 0.2,
      edc: loss * 0.3,
      etaSeconds: (3 * STEPS_PER_EPOCH - ((epoch - 1) * STEPS_PER_EPOCH + i + 1)) * 0.5,
      stepsPerSecond: 2,
    };
  });
}
const EPOCHS = [
  { epoch: 0, val: { mapAtR: 0.21, recallAt1: 0.48, queries: 40 }, seconds: 0.4 },
  { epoch: 1, loss: { total: 0.9, mc: 0.45, ec: 0.18, edc: 0.27 }, val: { mapAtR: 0.3, recallAt1: 0.55, queries: 40 }, seconds: 2.5 },
  { epoch: 2, loss: { total: 0.6, mc: 0.3, ec: 0.12, edc: 0.18 }, val: { mapAtR: 0.37, recallAt1: 0.62, queries: 40 }, seconds: 2.4 },
  { epoch: 3, loss: { total: 0.5, mc: 0.25, ec: 0.1, edc: 0.15 }, val: { mapAtR: 0.35, recallAt1: 0.6, queries: 40 }, seconds: 2.4 },
];

async function openPage(page, outDir) {
  const { url, protocol } = await trainingPage(outDir);
  await page.addInitScript(() => {
    window.__posted = [];
    window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  return protocol;
}

const post = (page, msg) => page.evaluate((m) => window.postMessage(m, '*'), msg);
/** Waits until the page drew what it was sent (drawing is batched into animation frames). */
const settled = (page) => page.waitForFunction(() => !window.trainingLens.stats().pendingDraw);
const stats = (page) => page.evaluate(() => window.trainingLens.stats());
const posted = (page) => page.evaluate(() => window.__posted);
/**
 * The progress bar as announced (aria-*) and as painted: `drawn` is the fill's rendered width over
 * the track's, read at once — the fill must not trail its value (it did behind a width transition).
 */
const barState = (page) =>
  page.evaluate(() => {
    const track = document.querySelector('[role="progressbar"]');
    const fill = track.firstElementChild;
    return {
      now: Number(track.getAttribute('aria-valuenow')),
      text: track.getAttribute('aria-valuetext'),
      drawn: fill.getBoundingClientRect().width / track.getBoundingClientRect().width,
      classes: [...track.classList].filter((c) => c !== 'tr-progress'),
      colour: getComputedStyle(fill).backgroundColor,
      summaryColour: getComputedStyle(document.querySelector('#summary')).borderLeftColor,
    };
  });
const near = (a, b, what) => assert.ok(Math.abs(a - b) < 0.01, `${what}: ${a} ≠ ${b}`);

export const tests = [
  {
    name: 'training: a scripted run draws every step and epoch, then the summary offers Compare and Reveal',
    async run({ page, outDir }) {
      const protocol = await openPage(page, outDir);
      await post(page, { type: 'init', run: RUN, steps: [], epochs: [] });
      await post(page, { type: 'stage', stage: { stage: 'Loading images', done: 30, total: 60 } });
      await settled(page);
      assert.match(await page.locator('#status').innerText(), /Loading images: 30\/60/);
      assert.match(await page.locator('h1').innerText(), /Fine-tune cnn\/model\.json|Fine-tune model\.json/);
      await post(page, { type: 'epoch', epoch: EPOCHS[0] });
      for (let e = 1; e <= 3; e++) {
        for (const s of scriptedSteps(e)) await post(page, { type: 'step', step: s });
        await post(page, { type: 'epoch', epoch: EPOCHS[e] });
        await settled(page);
        const st = await stats(page);
        assert.equal(st.steps, e * STEPS_PER_EPOCH);
        assert.deepEqual(st.lossPoints, {
          total: e * STEPS_PER_EPOCH,
          mc: e * STEPS_PER_EPOCH,
          ec: e * STEPS_PER_EPOCH,
          edc: e * STEPS_PER_EPOCH,
        });
        assert.deepEqual(st.valDots, { mapAtR: e + 1, recallAt1: e + 1 });
        const b = await barState(page);
        assert.equal(b.now, Math.round((100 * e) / 3));
        assert.equal(b.text, `step ${e * STEPS_PER_EPOCH} of ${3 * STEPS_PER_EPOCH}`);
        near(b.drawn, e / 3, `fill drawn at epoch ${e}`);
      }
      const running = await barState(page);
      const status = await page.locator('#status').innerText();
      assert.match(status, /^Epoch 3\/3 · step 5\/5 · loss \d\.\d{4} · 2\.00 steps\/s · 0 s left$/);
      assert.equal(await page.locator('#loss-chart .guide').count(), 2, 'dividers where epochs 2 and 3 start');
      // The dots carry the values sent, epoch 0 (before training) first.
      const mapDots = await page
        .locator('#val-chart [data-series="mapAtR"] .series-dot')
        .evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-x')), Number(e.getAttribute('data-y'))]));
      assert.deepEqual(mapDots, [
        [0, 0.21],
        [1, 0.3],
        [2, 0.37],
        [3, 0.35],
      ]);
      assert.equal(await page.locator('#epochs tbody tr').count(), 4);
      assert.equal(await page.locator('#epochs tr.best').getAttribute('data-epoch'), '2');
      assert.match(await page.locator('#settings').innerText(), /P × K\s+4 × 4/);
      assert.equal(await page.locator('#summary').isVisible(), false);

      await post(page, {
        type: 'finished',
        outcome: { status: 'done', outDir: RUN.outDir, best: { epoch: 2, mapAtR: 0.37, recallAt1: 0.62 }, backend: 'wasm' },
      });
      await page.locator('#summary').waitFor({ state: 'visible' });
      // Full the moment the run is reported finished, in the finished colour.
      const done = await barState(page);
      assert.equal(done.now, 100);
      assert.equal(done.text, 'Training finished');
      assert.equal(done.drawn, 1);
      assert.deepEqual(done.classes, ['tr-progress-done']);
      assert.notEqual(done.colour, running.colour, 'a finished bar looks different from a running one');
      assert.equal(await page.locator('#best-epoch').innerText(), '2');
      assert.equal(await page.locator('#out-dir').innerText(), RUN.outDir);
      assert.match(await page.locator('#summary').innerText(), /Training finished[\s\S]*map@r 0\.3700 · recall@1 0\.6200/);
      assert.equal(await page.locator('#cancel').isVisible(), false, 'nothing left to cancel');
      assert.match(await page.locator('.chip.backend').innerText(), /wasm/);
      await page.screenshot({ path: join(outDir, 'training-done-dark.png'), fullPage: true });

      // Keyboard: Tab reaches the buttons, Enter/Space press them.
      await page.getByRole('button', { name: 'Compare with the original' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Reveal the output folder' }).focus();
      await page.keyboard.press('Space');
      const sent = (await posted(page)).map((m) => protocol.validateTrainingMessage(m).type);
      assert.deepEqual(sent, ['ready', 'compare', 'reveal']);
    },
  },
  {
    name: 'training: the validation curves say what they were computed on, and 2 held-out classes get a visible warning with the split to use',
    async run({ page, outDir }) {
      await openPage(page, outDir);
      // Fashion-MNIST-like: 10 classes, 600 items; 20% held out is 2 classes, 120 items, and
      // recall@1 sits at 1.0 from epoch 0.
      const on = { classes: 2, items: 120, totalClasses: 10, totalItems: 600 };
      const stuck = (epoch) => ({
        epoch,
        ...(epoch ? { loss: { total: 0.5, mc: 0.2, ec: 0.1, edc: 0.2 } } : {}),
        val: { mapAtR: 0.9, recallAt1: 1, queries: 120, ...on },
        seconds: 1,
      });
      await post(page, { type: 'init', run: RUN, steps: [], epochs: [] });
      await settled(page);
      assert.equal(await page.locator('#val-warning').isVisible(), false, 'nothing to warn about before validation ran');
      await post(page, { type: 'epoch', epoch: stuck(0) });
      await page.locator('#val-warning').waitFor({ state: 'visible' });
      assert.equal(await page.locator('#val-on').innerText(), 'validation: 2 held-out classes, 120 items');
      const warning = await page.locator('#val-warning').innerText();
      assert.match(warning, /^Validation too small: Only 2 classes, 120 items held out/);
      assert.match(warning, /recall@1 can sit at 1\.0/);
      assert.match(warning, /Validation split → Held-out classes… 50% \(CLI: embedding-lens finetune --val-fraction 0\.5\)/);
      await post(page, { type: 'epoch', epoch: stuck(1) });
      await settled(page);
      await page.screenshot({ path: join(outDir, 'training-small-validation-dark.png'), fullPage: true });

      // A reloaded page with a big enough held-out set: the caption, and no warning.
      const big = { classes: 20, items: 1000, totalClasses: 100, totalItems: 5000 };
      await post(page, { type: 'init', run: RUN, steps: [], epochs: EPOCHS.map((e) => ({ ...e, val: { ...e.val, ...big } })) });
      await settled(page);
      assert.equal(await page.locator('#val-on').innerText(), 'validation: 20 held-out classes, 1,000 items');
      assert.equal(await page.locator('#val-warning').isVisible(), false);
      // The dataset's own split is named as such.
      await post(page, {
        type: 'init',
        run: { ...RUN, settings: { ...SETTINGS, validation: 'split' } },
        steps: [],
        epochs: [{ ...EPOCHS[0], val: { ...EPOCHS[0].val, ...big } }],
      });
      await settled(page);
      assert.equal(await page.locator('#val-on').innerText(), "validation: the dataset's own split, 20 classes, 1,000 items");
    },
  },
  {
    name: 'training: Cancel posts cancel once; a cancelled outcome says where the best epoch is kept',
    async run({ page, outDir }) {
      const protocol = await openPage(page, outDir);
      await post(page, { type: 'init', run: RUN, steps: [], epochs: [] });
      await post(page, { type: 'epoch', epoch: EPOCHS[0] });
      for (const s of scriptedSteps(1).slice(0, 3)) await post(page, { type: 'step', step: s });
      await settled(page);
      const cancel = page.getByRole('button', { name: 'Cancel training' });
      await cancel.focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      assert.equal(await page.locator('#cancel').isDisabled(), true);
      assert.match(await page.locator('#status').innerText(), /best epoch so far is kept/);
      const running = await barState(page);
      await post(page, {
        type: 'finished',
        outcome: { status: 'cancelled', outDir: RUN.outDir, best: { epoch: 0, mapAtR: 0.21, recallAt1: 0.48 }, backend: 'wasm' },
      });
      await page.locator('#summary').waitFor({ state: 'visible' });
      // Stopped where it was (3 of 15 steps), saying so, in the cancelled colour (the summary's).
      const bar = await barState(page);
      assert.equal(bar.now, 20);
      assert.equal(bar.text, 'Training cancelled at step 3 of 15');
      near(bar.drawn, 0.2, 'fill drawn where the run stopped');
      assert.deepEqual(bar.classes, ['tr-progress-cancelled']);
      assert.notEqual(bar.colour, running.colour, 'a cancelled bar looks different from a running one');
      assert.equal(bar.colour, bar.summaryColour);
      const text = await page.locator('#summary').innerText();
      assert.match(text, /Training cancelled/);
      assert.match(text, /no epoch beat the original model/);
      assert.match(text, /The best epoch so far is kept in \/data\/models\/cnn-eet-1/);
      const sent = (await posted(page)).map((m) => protocol.validateTrainingMessage(m).type);
      assert.deepEqual(sent, ['ready', 'cancel']);
    },
  },
  {
    name: 'training: a reloaded page gets the whole run in init and draws it at once (light theme, error outcome)',
    async run({ page, outDir }) {
      await openPage(page, outDir);
      await page.evaluate(() => {
        document.body.classList.remove('vscode-dark');
        document.body.classList.add('vscode-light');
      });
      const steps = [...scriptedSteps(1), ...scriptedSteps(2)];
      await post(page, {
        type: 'init',
        run: RUN,
        steps,
        epochs: EPOCHS.slice(0, 3),
        outcome: {
          status: 'error',
          outDir: RUN.outDir,
          best: { epoch: 2, mapAtR: 0.37, recallAt1: 0.62 },
          backend: 'wasm',
          message: 'the EET loss became NaN at epoch 3, step 1; lower the learning rate (now 0.0001)',
        },
      });
      await settled(page);
      const st = await stats(page);
      assert.equal(st.steps, 10);
      assert.equal(st.lossPoints.total, 10);
      assert.deepEqual(st.valDots, { mapAtR: 3, recallAt1: 3 });
      assert.equal(st.outcome, 'error');
      // The bar of a reloaded, failed run: where it stopped (10 of 15 steps), not empty.
      const bar = await barState(page);
      assert.equal(bar.now, 67);
      assert.equal(bar.text, 'Training stopped on an error at step 10 of 15');
      near(bar.drawn, 10 / 15, 'fill drawn where the run stopped');
      assert.deepEqual(bar.classes, ['tr-progress-error']);
      assert.equal(bar.colour, bar.summaryColour, 'the error colour, as the summary');
      const text = await page.locator('#summary').innerText();
      assert.match(text, /Training stopped on an error/);
      assert.match(text, /lower the learning rate/);
      assert.match(text, /The best epoch so far is kept in/);
      await page.screenshot({ path: join(outDir, 'training-error-light.png'), fullPage: true });
    },
  },
  {
    name: 'training: the smoothing slider is labelled and redraws the loss lines',
    async run({ page, outDir }) {
      await openPage(page, outDir);
      await post(page, { type: 'init', run: RUN, steps: scriptedSteps(1), epochs: EPOCHS.slice(0, 1) });
      await settled(page);
      const d0 = await page.locator('#loss-chart [data-series="total"] path').getAttribute('d');
      const slider = page.getByLabel('Smoothing');
      await slider.focus();
      await page.keyboard.press('Home');
      await settled(page);
      assert.equal(await page.locator('#smoothing-value').innerText(), '0.00');
      const d1 = await page.locator('#loss-chart [data-series="total"] path').getAttribute('d');
      assert.notEqual(d1, d0, 'raw and smoothed lines differ');
    },
  },
  {
    name: 'training: a long run (20,000 steps in one init) draws each line downsampled to at most 600 points, ending at the last step',
    async run({ page, outDir }) {
      await openPage(page, outDir);
      await page.evaluate((run) => {
        const steps = [];
        for (let i = 0; i < 20000; i++) {
          const loss = 1 / (1 + i / 500) + 0.1 * Math.sin(i);
          steps.push({
            epoch: 1 + Math.floor(i / 2000),
            step: (i % 2000) + 1,
            stepsPerEpoch: 2000,
            loss,
            mc: loss / 2,
            ec: loss / 4,
            edc: loss / 4,
            etaSeconds: (20000 - i) / 50,
            stepsPerSecond: 50,
          });
        }
        window.postMessage({ type: 'init', run: { ...run, settings: { ...run.settings, epochs: 10 } }, steps, epochs: [] }, '*');
      }, RUN);
      await page.waitForFunction(() => window.trainingLens.stats().steps === 20000);
      await settled(page);
      const st = await stats(page);
      assert.deepEqual(st.lossPoints, { total: 600, mc: 600, ec: 600, edc: 600 });
      assert.equal(await page.locator('#loss-chart .guide').count(), 9, 'a divider per epoch after the first');
      assert.match(await page.locator('#status').innerText(), /^Epoch 10\/10 · step 2000\/2000/);
    },
  },
];
