// Browser tests of the Compare view: a comparison made by the engine (compareFixture.ts), inlined
// in a report page as `embedding-lens compare --out` writes it, and fed to a panel page through a
// stubbed VS Code API as the compare panel does. Pages are built on first use.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { root } from './pages.mjs';

let built;
async function setup(mods, outDir) {
  if (built) return built;
  const { buildCompareFixture } = await tsImport(join(root, 'test/webview/compareFixture.ts'), import.meta.url);
  const fx = await buildCompareFixture();
  // The report exactly as `embedding-lens compare --out` and Export Report write it.
  const { compareReportHtml } = await tsImport(join(root, 'src/core/compare/report.ts'), import.meta.url);
  const assets = {
    script: readFileSync(join(root, 'dist/webview.js'), 'utf8'),
    css: readFileSync(join(root, 'media/panel.css'), 'utf8'),
  };
  const pageFor = async (data, name, theme) => {
    writeFileSync(join(outDir, name), await compareReportHtml(data, { theme, assets }));
    return `file://${join(outDir, name)}`;
  };
  const panelHtml = mods
    .panelHtml({
      mode: 'panel',
      cspSource: 'file:',
      nonce: mods.makeNonce(),
      scriptUri: `file://${join(root, 'dist/webview.js')}`,
      css: readFileSync(join(root, 'media/panel.css'), 'utf8'),
    })
    .replace('<body class="lens-panel">', '<body class="lens-panel lens-standalone vscode-dark" data-view="compare">');
  writeFileSync(join(outDir, 'compare-panel.html'), panelHtml);
  built = {
    fx,
    dark: await pageFor(fx.cmp, 'compare-dark.html', 'dark'),
    light: await pageFor(fx.cmp, 'compare-light.html', 'light'),
    self: await pageFor(fx.self, 'compare-self.html', 'dark'),
    panel: `file://${join(outDir, 'compare-panel.html')}`,
  };
  return built;
}

async function openCompare(page, url) {
  await page.goto(url);
  await page.waitForFunction(
    () => {
      const s = window.lens?.stats?.();
      return s && s.a && s.a.pointsDrawn > 0 && s.b.pointsDrawn > 0 && !s.a.animating && !s.b.animating;
    },
    null,
    { timeout: 15000 },
  );
  return page.evaluate(() => {
    const s = window.lens.stats();
    return { a: { ...s.a }, b: { ...s.b }, items: s.items };
  });
}

const num = (s) => Number(s);

/** Posts a comparison to a panel page as the host does (typed arrays by structured clone). */
async function postCompare(page, mods, data) {
  await page.evaluate((text) => {
    const revive = (v) => {
      if (Array.isArray(v)) return v.map(revive);
      if (v && typeof v === 'object') {
        if (v.$typed) {
          const bin = atob(v.b64);
          const b = new Uint8Array(bin.length);
          for (let i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
          return v.$typed === 'f32' ? new Float32Array(b.buffer) : v.$typed === 'i32' ? new Int32Array(b.buffer) : b;
        }
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
      }
      return v;
    };
    window.postMessage({ type: 'initCompare', data: revive(JSON.parse(text)) }, '*');
    window.postMessage({ type: 'done' }, '*');
  }, mods.protocol.encodeCompare(data));
}

/**
 * The scopes the host attaches after a fine-tune (src/core/compare/heldOut.ts counts them): the
 * view only states them, so the fixture's comparison stands for both the held-out and the all-items run.
 */
const HELD_OUT_SCOPE = {
  items: 'held-out',
  asked: 'held-out',
  fineTunes: ['fashion-embedder-eet'],
  totalItems: 600,
  totalClasses: 10,
  heldOutItems: 240,
  heldOutClasses: 4,
};
const ALL_SCOPE = { ...HELD_OUT_SCOPE, items: 'all', asked: 'all', totalItems: 240, totalClasses: 4, heldOutItems: 120, heldOutClasses: 2 };

export const tests = [
  {
    name: "compare: the comparison's own notes (approximate neighbourhoods) come first among the notes",
    async run({ page, mods, outDir }) {
      const { fx } = await setup(mods, outDir);
      const { compareReportHtml } = await tsImport(join(root, 'src/core/compare/report.ts'), import.meta.url);
      const assets = {
        script: readFileSync(join(root, 'dist/webview.js'), 'utf8'),
        css: readFileSync(join(root, 'media/panel.css'), 'utf8'),
      };
      const note = 'Jaccard@10 and the per-item precisions compare approximate neighbourhoods (test)';
      const a = { ...fx.cmp.a, notes: ['a side note'] };
      writeFileSync(
        join(outDir, 'compare-notes.html'),
        await compareReportHtml({ ...fx.cmp, a, notes: [note] }, { theme: 'dark', assets }),
      );
      await openCompare(page, `file://${join(outDir, 'compare-notes.html')}`);
      // The notes are folded in a <details>: read their text, not what is rendered.
      const items = await page.locator('.cmp-notes li').allTextContents();
      assert.deepEqual(items.slice(0, 2), [note, 'A: a side note']);
    },
  },
  {
    name: 'compare: both maps draw every item, B aligned, legend shared',
    async run({ page, mods, outDir }) {
      const { fx, dark } = await setup(mods, outDir);
      const s = await openCompare(page, dark);
      const n = fx.cmp.a.items.n;
      assert.equal(s.items, n);
      assert.equal(s.a.pointsDrawn, n);
      assert.equal(s.b.pointsDrawn, n);
      assert.equal(await page.locator('.legend-row').count(), fx.cmp.a.items.classNames.length);
      assert.match(await page.locator('.cmp-cell[data-side="b"] .cmp-cell-head').innerText(), /B.*fashion-embedder-eet.*aligned to A/s);
      assert.equal(await page.locator('.cmp-waiting').isHidden(), true, 'the waiting note goes once the comparison is shown');
      assert.equal(await page.locator('#worse-list').isVisible(), true, 'the changed-items tab is open');
    },
  },
  {
    name: 'compare: hovering item i on map A rings item i on map B (and back)',
    async run({ page, mods, outDir }) {
      const { fx, dark } = await setup(mods, outDir);
      await openCompare(page, dark);
      await page.waitForFunction(() => window.lens.hoverIndexReady(), null, { timeout: 15000 });
      const n = fx.cmp.a.items.n;
      const hit = (side) =>
        page.evaluate(
          ({ side, n }) => {
            for (let i = 0; i < n; i++) {
              const [x, y] = window.lens.screenOf(side, i);
              if (window.lens.hitTest(side, x, y) === i) return i;
            }
            return -1;
          },
          { side, n },
        );
      for (const [from, to] of [
        ['a', 'b'],
        ['b', 'a'],
      ]) {
        const i = await hit(from);
        assert.ok(i >= 0, `an item on map ${from} can be hovered`);
        const [x, y] = await page.evaluate(({ from, i }) => window.lens.screenOf(from, i), { from, i });
        const box = await page.locator(`.map[data-side="${from}"] .map-interact`).boundingBox();
        await page.mouse.move(box.x + x, box.y + y);
        await page.waitForFunction(
          ({ to, i }) => document.querySelector(`.map[data-side="${to}"]`).dataset.linkedHover === String(i),
          { to, i },
          { timeout: 5000 },
        );
        assert.equal(await page.locator(`.map[data-side="${from}"] .map-tooltip`).isVisible(), true, 'tooltip on the hovered map');
        await page.mouse.move(box.x - 30, box.y - 30);
        await page.waitForFunction((to) => document.querySelector(`.map[data-side="${to}"]`).dataset.linkedHover === '', to);
      }
    },
  },
  {
    name: 'compare: zoom, class isolation and selection are linked across both maps',
    async run({ page, mods, outDir }) {
      const { dark } = await setup(mods, outDir);
      await openCompare(page, dark);
      const before = await page.evaluate(() => window.lens.screenOf('b', 3));
      await page.evaluate(() => window.lens.setTransform({ x: 40, y: -20, k: 2 }));
      const after = await page.evaluate(() => window.lens.screenOf('b', 3));
      // Zooming map A moved map B by the same transform.
      assert.ok(
        Math.abs(after[0] - (40 + 2 * before[0])) < 1e-6 && Math.abs(after[1] - (-20 + 2 * before[1])) < 1e-6,
        `${before} → ${after}`,
      );
      await page.locator('.legend-row[data-class="1"]').hover();
      await page.locator('.legend-row[data-class="1"] .legend-only').click();
      const active = await page.evaluate(() => [window.lens.stats().a.activePoints, window.lens.stats().b.activePoints]);
      const size1 = await page.evaluate(() => {
        const it = window.lens.compare.data.a.items;
        let c = 0;
        for (const l of it.labels) if (l === 1) c++;
        return c;
      });
      assert.deepEqual(active, [size1, size1], 'only class 1 coloured on both maps');
      await page.getByRole('button', { name: 'Show all classes' }).first().click();
      await page.getByRole('tab', { name: 'Changed items' }).click();
      await page.locator('#select-changed').click();
      const sel = await page.evaluate(() => {
        const j = window.lens.compare.data.jaccard;
        let c = 0;
        for (const v of j) if (v <= 0.5) c++;
        return c;
      });
      await page.waitForFunction((sel) => window.lens.stats().a.activePoints === sel && window.lens.stats().b.activePoints === sel, sel);
      assert.match(await page.locator('#cmp-selection').innerText(), new RegExp(`${sel} selected on both maps`));
    },
  },
  {
    name: 'compare: the most-worse / most-better lists show the right items with both top-K rows',
    async run({ page, mods, outDir }) {
      const { fx, dark } = await setup(mods, outDir);
      await openCompare(page, dark);
      for (const list of ['worse', 'better']) {
        const want = fx.cmp[list];
        const rows = page.locator(`#${list}-list > li.change`);
        assert.equal(await rows.count(), want.length, `${list}: one row per item`);
        const got = await rows.evaluateAll((els) =>
          els.map((el) => ({
            index: Number(el.dataset.index),
            jaccard: Number(el.querySelector('.jaccard').dataset.value),
            a: [...el.querySelectorAll('.topk-row[data-side="a"] .nb')].map((x) => Number(x.dataset.index)),
            b: [...el.querySelectorAll('.topk-row[data-side="b"] .nb')].map((x) => Number(x.dataset.index)),
            missA: [...el.querySelectorAll('.topk-row[data-side="a"] .nb.miss')].length,
          })),
        );
        want.forEach((c, r) => {
          assert.equal(got[r].index, c.index, `${list}[${r}] item`);
          assert.ok(Math.abs(got[r].jaccard - c.jaccard) < 1e-6);
          assert.deepEqual(got[r].a, Array.from(c.topA), `${list}[${r}] top-K under A`);
          assert.deepEqual(got[r].b, Array.from(c.topB), `${list}[${r}] top-K under B`);
          const labels = fx.cmp.a.items.labels;
          assert.equal(got[r].missA, Array.from(c.topA).filter((j) => labels[j] !== labels[c.index]).length);
        });
      }
      // Clicking a row focuses that item on both maps with its own top-K.
      const first = fx.cmp.worse[0];
      await page.locator(`#worse-list > li.change[data-index="${first.index}"]`).click();
      await page.locator('#focused-item').waitFor();
      assert.equal(await page.locator('#focused-item li.change').getAttribute('data-index'), String(first.index));
    },
  },
  {
    name: 'compare: the delta tables hold the engine’s numbers; class table sorts by change',
    async run({ page, mods, outDir }) {
      const { fx, dark } = await setup(mods, outDir);
      await openCompare(page, dark);
      await page.getByRole('tab', { name: 'Metrics' }).click();
      const head = await page
        .locator('#headline-deltas tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [tr.dataset.key, ...[...tr.querySelectorAll('td[data-value]')].map((td) => td.dataset.value)]),
        );
      assert.deepEqual(
        head.map((r) => r[0]),
        fx.cmp.headline.map((d) => d.key),
      );
      fx.cmp.headline.forEach((d, i) => assert.deepEqual(head[i].slice(1).map(num), [d.a, d.b, d.delta]));
      assert.equal(num(await page.locator('#mean-jaccard').getAttribute('data-value')), fx.cmp.meanJaccard);
      await page.getByRole('tab', { name: 'EET loss' }).click();
      const eet = await page
        .locator('#eet-deltas tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td[data-value]')].map((td) => Number(td.dataset.value))));
      assert.deepEqual(
        eet,
        fx.cmp.eet.map((d) => [d.a, d.b, d.delta]),
      );
      await page.getByRole('tab', { name: 'Classes' }).click();
      const order = () => page.locator('#class-deltas tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.class)));
      assert.deepEqual(
        await order(),
        fx.cmp.classes.map((c) => c.classIndex),
        'engine order (largest change first) by default',
      );
      const cells = await page
        .locator('#class-deltas tbody tr')
        .first()
        .locator('td[data-key]')
        .evaluateAll((tds) => tds.map((td) => [td.dataset.key, Number(td.dataset.value)]));
      const c0 = fx.cmp.classes[0];
      for (const [key, v] of cells) {
        const m = c0.metrics.find((x) => x.key === key);
        assert.ok(m, key);
        assert.ok(Object.is(v, m.delta) || Math.abs(v - m.delta) < 1e-12, `${key}: ${v} vs ${m.delta}`);
      }
      await page.locator('#class-deltas th[data-sort="map@r"] button').click();
      const byMap = [...fx.cmp.classes].sort(
        (x, y) =>
          Math.abs(y.metrics.find((m) => m.key === 'map@r').delta) - Math.abs(x.metrics.find((m) => m.key === 'map@r').delta) ||
          x.classIndex - y.classIndex,
      );
      assert.deepEqual(
        await order(),
        byMap.map((c) => c.classIndex),
      );
      assert.equal(await page.locator('#class-deltas th[data-sort="map@r"]').getAttribute('aria-sort'), 'descending');
    },
  },
  {
    name: 'compare: a checkpoint against itself shows zero deltas and Jaccard 1 everywhere',
    async run({ page, mods, outDir }) {
      const { fx, self } = await setup(mods, outDir);
      await openCompare(page, self);
      await page.getByRole('tab', { name: 'Metrics' }).click();
      const deltas = await page
        .locator('#headline-deltas tbody td.delta')
        .evaluateAll((tds) => tds.map((td) => [Number(td.dataset.value), td.textContent]));
      assert.equal(deltas.length, fx.self.headline.length);
      for (const [v, text] of deltas) {
        assert.equal(v, 0);
        assert.match(text, /^±0\.0000$/);
      }
      assert.equal(num(await page.locator('#mean-jaccard').getAttribute('data-value')), 1);
      assert.match(await page.locator('.cmp-summary').innerText(), new RegExp(`unchanged: ${fx.self.a.items.n} of ${fx.self.a.items.n}`));
      assert.ok(Array.from(fx.self.jaccard).every((v) => v === 1));
      await page.getByRole('tab', { name: 'EET loss' }).click();
      assert.ok(
        (await page.locator('#eet-deltas td.delta').evaluateAll((tds) => tds.map((td) => Number(td.dataset.value)))).every((v) => v === 0),
      );
      await page.getByRole('tab', { name: 'Changed items' }).click();
      assert.equal(await page.locator('#worse-list li.change').count(), 0);
      assert.equal(await page.locator('#better-list li.change').count(), 0);
    },
  },
  {
    name: 'compare: panel mode shows progress, then initCompare; exports and state go to the host',
    async run({ page, mods, outDir }) {
      const { fx, panel } = await setup(mods, outDir);
      await page.addInitScript(() => {
        window.__posted = [];
        window.__state = undefined;
        window.acquireVsCodeApi = () => ({
          postMessage: (m) => window.__posted.push(m),
          getState: () => window.__state,
          setState: (s) => {
            window.__state = s;
          },
        });
      });
      await page.goto(panel);
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
      await page.evaluate(() => window.postMessage({ type: 'progress', stage: 'B: embed', done: 40, total: 240 }, '*'));
      await page.locator('.progress-stage').filter({ hasText: 'B: embed' }).waitFor();
      assert.match(await page.locator('.cmp-waiting').innerText(), /B: embed/);
      // A's own stages fill map A before the comparison exists; B stays empty until its stages come.
      const a = fx.cmp.a;
      await page.evaluate(
        ({ items, umap }) => {
          window.postMessage(
            { type: 'stage', stage: 'A: embed', patch: { items: { ...items, labels: Int32Array.from(items.labels) } } },
            '*',
          );
          window.postMessage({ type: 'stage', stage: 'A: umap', patch: { layout: { umap: Float32Array.from(umap) } } }, '*');
        },
        {
          items: { n: a.items.n, labels: Array.from(a.items.labels), classNames: a.items.classNames, paths: a.items.paths },
          umap: Array.from(a.layout.umap),
        },
      );
      await page.waitForFunction((n) => window.lens.stats().a.pointsDrawn === n, a.items.n);
      assert.equal(await page.evaluate(() => window.lens.stats().b.pointsDrawn), 0);
      await postCompare(page, mods, fx.cmp);
      await page.waitForFunction(() => window.lens.stats().a.pointsDrawn > 0 && window.lens.stats().b.pointsDrawn > 0);
      assert.equal(await page.locator('.progress').isHidden(), true);
      await page.locator('summary[aria-label="Export"]').click();
      await page.getByRole('menuitem', { name: 'Class deltas as CSV' }).click();
      const exp = await page.waitForFunction(() => window.__posted.find((m) => m.type === 'export')).then((h) => h.jsonValue());
      assert.equal(exp.what, 'classes');
      assert.equal(exp.format, 'csv');
      assert.equal(exp.fileName, 'fashion-embedder-vs-fashion-embedder-eet-classes.csv');
      const lines = exp.content.trim().split('\n');
      assert.equal(lines.length, fx.cmp.classes.length + 1);
      assert.match(lines[0], /^class_index,class,size,precision@1_a,precision@1_b,precision@1_delta/);
      await page.locator('.legend-row[data-class="2"] .legend-toggle').click();
      await page.waitForFunction(() => window.__state && window.__state.hiddenClasses.includes(2));
      await page.screenshot({ path: join(outDir, 'compare-panel-dark.png') });
    },
  },
  {
    name: 'compare: after a fine-tune the header says "evaluated on the held-out classes", warns, and the toggle shows all items "seen in training"',
    async run({ page, mods, outDir }) {
      const { fx, panel } = await setup(mods, outDir);
      const { scopeWarning } = await tsImport(join(root, 'src/core/compare/scope.ts'), import.meta.url);
      const heldOut = { ...fx.cmp, scope: { ...HELD_OUT_SCOPE, warning: scopeWarning(HELD_OUT_SCOPE) } };
      const all = { ...fx.cmp, scope: { ...ALL_SCOPE, warning: scopeWarning(ALL_SCOPE) } };
      await page.addInitScript(() => {
        window.__posted = [];
        window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });
      });
      await page.goto(panel);
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
      await postCompare(page, mods, heldOut);
      await page.locator('#cmp-scope-line').waitFor();
      assert.equal(await page.locator('#cmp-scope').getAttribute('data-items'), 'held-out');
      assert.equal(
        await page.locator('#cmp-scope-line').innerText(),
        'Evaluated on the 4 held-out classes, 240 items — the classes fashion-embedder-eet never trained on',
      );
      const warning = page.locator('#cmp-scope-warning');
      assert.equal(await warning.isVisible(), true, 'the small-split warning is in the header, visible');
      assert.match(await warning.innerText(), /Only 4 classes, 240 items held out/);
      assert.match(await warning.innerText(), /Held-out classes… 50% \(CLI: embedding-lens finetune --val-fraction 0\.5\)/);
      assert.equal(await page.locator('#cmp-items-held-out').getAttribute('aria-pressed'), 'true');
      await page.screenshot({ path: join(outDir, 'compare-held-out-dark.png') });

      // Something selected, then "All items": the host is asked, the toggle waits, and the new
      // comparison (other items) starts with nothing selected.
      await page.evaluate(() => {
        window.lens.compare.isolate(1);
        window.lens.compare.setSelection([3, 4, 5]);
      });
      assert.equal(await page.locator('.legend-row.isolated').count(), 1);
      await page.locator('#cmp-items-all').click();
      const asked = await page.waitForFunction(() => window.__posted.find((m) => m.type === 'compareItems')).then((h) => h.jsonValue());
      assert.deepEqual(asked, { type: 'compareItems', items: 'all' });
      assert.equal(await page.locator('#cmp-items-all').isDisabled(), true, 'one run at a time');
      assert.match(await page.locator('#cmp-items-pending').innerText(), /Scoring every item/);
      await postCompare(page, mods, all);
      await page.locator('#cmp-scope[data-items="all"]').waitFor();
      assert.equal(
        await page.locator('#cmp-scope-line').innerText(),
        'All 240 items — 120 of them seen in training (the classes fashion-embedder-eet trained on)',
      );
      assert.equal(await page.locator('#cmp-items-all').getAttribute('aria-pressed'), 'true');
      assert.equal(await page.locator('#cmp-items-held-out').isDisabled(), false);
      assert.equal(await page.locator('.legend-row.isolated').count(), 0, 'the isolated class of the other items is cleared');
      assert.deepEqual(await page.evaluate(() => window.lens.compare.selection), [], 'and the selection');
      await page.screenshot({ path: join(outDir, 'compare-all-items-dark.png') });

      // Back to the held-out classes; a run that is cancelled ("done" without data) frees the toggle.
      await page.locator('#cmp-items-held-out').click();
      await page.waitForFunction(() => window.__posted.filter((m) => m.type === 'compareItems').length === 2);
      await page.evaluate(() => window.postMessage({ type: 'done' }, '*'));
      await page.waitForFunction(() => !document.querySelector('#cmp-items-held-out')?.disabled);
      assert.equal(await page.locator('#cmp-scope').getAttribute('data-items'), 'all', 'still the comparison that was shown');

      // Compared on a dataset of classes the fine-tune never saw (the sample's dataset-held-out):
      // every item is held out, so there is nothing to toggle.
      await postCompare(page, mods, { ...fx.cmp, scope: { ...HELD_OUT_SCOPE, totalItems: 240, totalClasses: 4 } });
      await page.locator('#cmp-scope[data-items="held-out"]').waitFor();
      assert.match(await page.locator('#cmp-scope-line').innerText(), /^Evaluated on the 4 held-out classes, 240 items/);
      assert.equal(await page.locator('#cmp-items-toggle').count(), 0);
    },
  },
  {
    name: 'compare: a report of a held-out comparison states it (no toggle: it holds one comparison)',
    async run({ page, mods, outDir }) {
      const { fx } = await setup(mods, outDir);
      const { compareReportHtml } = await tsImport(join(root, 'src/core/compare/report.ts'), import.meta.url);
      const assets = {
        script: readFileSync(join(root, 'dist/webview.js'), 'utf8'),
        css: readFileSync(join(root, 'media/panel.css'), 'utf8'),
      };
      writeFileSync(
        join(outDir, 'compare-held-out.html'),
        await compareReportHtml({ ...fx.cmp, scope: HELD_OUT_SCOPE }, { theme: 'light', assets }),
      );
      await openCompare(page, `file://${join(outDir, 'compare-held-out.html')}`);
      assert.match(await page.locator('#cmp-scope-line').innerText(), /^Evaluated on the 4 held-out classes, 240 items/);
      assert.equal(await page.locator('#cmp-items-toggle').count(), 0);
      assert.match(await page.locator('#cmp-scope').innerText(), /embedding-lens compare --items all/);
      await page.screenshot({ path: join(outDir, 'compare-held-out-report-light.png') });
    },
  },
  {
    name: 'compare: a report says it is a comparison (body data-view), an inspection report does not',
    async run({ page, mods, outDir, pages }) {
      const { dark } = await setup(mods, outDir);
      await openCompare(page, dark);
      assert.equal(await page.evaluate(() => document.body.dataset.view), 'compare');
      assert.equal(await page.locator('.cmp').count(), 1, 'the compare app started');
      await page.goto(pages.report);
      await page.waitForFunction(() => document.body.dataset.lens === 'ready');
      assert.equal(await page.evaluate(() => document.body.dataset.view), undefined);
      assert.equal(await page.locator('.cmp').count(), 0, 'the inspection app started');
    },
  },
  {
    name: 'shared legend: the inspection and the compare view toggle, isolate and grey classes the same way',
    async run({ page, mods, outDir, pages }) {
      const { dark } = await setup(mods, outDir);
      const onClasses = () =>
        page.evaluate(() => [...document.querySelectorAll('.legend-row:not(.off)')].map((r) => Number(r.dataset.class)));
      const seen = [];
      for (const url of [pages.report, dark]) {
        await page.goto(url);
        await page.waitForFunction(() => document.body.dataset.lens === 'ready' && document.querySelectorAll('.legend-row').length > 2);
        const classes = await page.locator('.legend-row').count();
        // Isolate class 1, then toggle class 2 on: toggling while isolated starts from "only the isolated class on".
        await page.locator('.legend-row[data-class="1"]').hover(); // "only" shows on hover
        await page.locator('.legend-row[data-class="1"] .legend-only').click();
        assert.deepEqual(await onClasses(), [1]);
        assert.match(await page.locator('.selection-bar').innerText(), /isolated: /);
        await page.locator('.legend-row[data-class="2"] .legend-toggle').click();
        assert.deepEqual(await onClasses(), [1, 2]);
        assert.equal(await page.locator('.legend-row.isolated').count(), 0);
        assert.match(await page.locator('.selection-bar').innerText(), new RegExp(`${classes - 2} classes greyed`));
        // The bar's × shows every class again.
        await page.locator('.selection-bar .pill-x[aria-label="Show all classes"]').click();
        assert.equal((await onClasses()).length, classes);
        seen.push(classes);
      }
      assert.equal(seen.length, 2);
    },
  },
  {
    name: 'compare: screenshots light and dark',
    async run({ page, mods, outDir }) {
      const { dark, light } = await setup(mods, outDir);
      for (const [name, url] of [
        ['dark', dark],
        ['light', light],
      ]) {
        await openCompare(page, url);
        await page.screenshot({ path: join(outDir, `compare-${name}.png`) });
        await page.getByRole('tab', { name: 'Classes' }).click();
        await page.screenshot({ path: join(outDir, `compare-classes-${name}.png`) });
      }
      // A narrow editor column stacks the deltas under the maps; both maps still draw everything.
      await page.setViewportSize({ width: 760, height: 800 });
      const s = await openCompare(page, dark);
      assert.equal(s.a.pointsDrawn, s.items);
      assert.equal(s.b.pointsDrawn, s.items);
      await page.screenshot({ path: join(outDir, 'compare-narrow-dark.png') });
    },
  },
];
