// The browser tests. Each gets a fresh page; `pages` are file:// URLs built by run.mjs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeReportPage } from './pages.mjs';

/** Opens a page and waits until the map has drawn its settled final layout. */
async function open(page, url, layout = 'umap') {
  await page.goto(url);
  await page.waitForFunction(
    (want) => {
      const s = window.lens?.stats();
      return s && s.frames > 0 && s.pointsDrawn > 0 && !s.animating && s.layout === want;
    },
    layout,
    { timeout: 15000 },
  );
  return page.evaluate(() => window.lens.stats());
}

/** An item whose screen position hit-tests to itself (not covered by a neighbour) and whose top-K mixes hits and misses. */
function pickQueryItem(fixture, hittable) {
  const { items, neighbours } = fixture.data;
  for (const i of hittable) {
    const row = Array.from(neighbours.indices.subarray(i * neighbours.k, (i + 1) * neighbours.k));
    const hits = row.filter((j) => items.labels[j] === items.labels[i]).length;
    if (hits > 0 && hits < neighbours.k) return i;
  }
  throw new Error('fixture has no hittable item with mixed hits');
}

async function hittableItems(page, n) {
  return page.evaluate((n) => {
    const out = [];
    for (let i = 0; i < n; i++) {
      const [x, y] = window.lens.screenOf(i);
      if (window.lens.hitTest(x, y) === i) out.push(i);
    }
    return out;
  }, n);
}

async function clickItem(page, i) {
  const [x, y] = await page.evaluate((i) => window.lens.screenOf(i), i);
  const box = await page.locator('.map-interact').boundingBox();
  await page.mouse.click(box.x + x, box.y + y);
}

function expectedMarks(fixture, i, k) {
  const { items, neighbours } = fixture.data;
  return Array.from(neighbours.indices.subarray(i * neighbours.k, i * neighbours.k + k)).map((j) =>
    items.labels[j] === items.labels[i] ? 'hit' : 'miss',
  );
}

async function setTheme(page, theme) {
  await page.evaluate((theme) => {
    document.body.classList.remove('vscode-light', 'vscode-dark');
    document.body.classList.add(`vscode-${theme}`);
  }, theme);
}

/** A report page of a variant of the fixture data (written beside the others). */
function variantPage(mods, outDir, name, data, theme = 'dark') {
  return writeReportPage(mods, data, outDir, name, { theme });
}

/** sRGB hex / rgb() → CIELAB (D65). */
function toLab(css) {
  const m = /^#([0-9a-f]{6})$/i.exec(css) ?? null;
  const rgb = m
    ? [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16))
    : css
        .match(/\d+(\.\d+)?/g)
        .slice(0, 3)
        .map(Number);
  const lin = rgb.map((c) => {
    c /= 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const [r, g, b] = lin;
  const X = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
    Y = 0.2126 * r + 0.7152 * g + 0.0722 * b,
    Z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return { L: 116 * f(Y) - 16, a: 500 * (f(X) - f(Y)), b: 200 * (f(Y) - f(Z)), Y };
}

/** CIEDE2000 colour difference. */
function deltaE00(p, q) {
  const rad = Math.PI / 180;
  const C1 = Math.hypot(p.a, p.b),
    C2 = Math.hypot(q.a, q.b),
    Cb = (C1 + C2) / 2;
  const G = 0.5 * (1 - Math.sqrt(Cb ** 7 / (Cb ** 7 + 25 ** 7)));
  const a1 = (1 + G) * p.a,
    a2 = (1 + G) * q.a;
  const C1p = Math.hypot(a1, p.b),
    C2p = Math.hypot(a2, q.b);
  const h1 = (Math.atan2(p.b, a1) / rad + 360) % 360,
    h2 = (Math.atan2(q.b, a2) / rad + 360) % 360;
  const dL = q.L - p.L,
    dC = C2p - C1p;
  let dh = C1p * C2p === 0 ? 0 : h2 - h1;
  if (dh > 180) dh -= 360;
  else if (dh < -180) dh += 360;
  const dH = 2 * Math.sqrt(C1p * C2p) * Math.sin((dh / 2) * rad);
  const Lb = (p.L + q.L) / 2,
    Cbp = (C1p + C2p) / 2;
  let hb = h1 + h2;
  if (C1p * C2p !== 0) hb = Math.abs(h1 - h2) <= 180 ? (h1 + h2) / 2 : (h1 + h2 + (h1 + h2 < 360 ? 360 : -360)) / 2;
  const T =
    1 -
    0.17 * Math.cos((hb - 30) * rad) +
    0.24 * Math.cos(2 * hb * rad) +
    0.32 * Math.cos((3 * hb + 6) * rad) -
    0.2 * Math.cos((4 * hb - 63) * rad);
  const dth = 30 * Math.exp(-(((hb - 275) / 25) ** 2));
  const Rc = 2 * Math.sqrt(Cbp ** 7 / (Cbp ** 7 + 25 ** 7));
  const Sl = 1 + (0.015 * (Lb - 50) ** 2) / Math.sqrt(20 + (Lb - 50) ** 2),
    Sc = 1 + 0.045 * Cbp,
    Sh = 1 + 0.015 * Cbp * T;
  const Rt = -Math.sin(2 * dth * rad) * Rc;
  return Math.sqrt((dL / Sl) ** 2 + (dC / Sc) ** 2 + (dH / Sh) ** 2 + Rt * (dC / Sc) * (dH / Sh));
}

const contrast = (p, q) => (Math.max(p.Y, q.Y) + 0.05) / (Math.min(p.Y, q.Y) + 0.05);

/** The fixture data with its UMAP marked as a run stopped at 85 of 500 epochs. */
function partialData(fixture) {
  return { ...fixture.data, layout: { ...fixture.data.layout, umapPartial: { epoch: 85, epochs: 500 } } };
}

/** A panel page whose stubbed VS Code API records what the webview posts and keeps its saved state. */
async function stubVsCode(page, state) {
  await page.addInitScript((state) => {
    window.__posted = [];
    window.__state = state;
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__posted.push(m),
      getState: () => window.__state,
      setState: (s) => {
        window.__state = s;
      },
    });
  }, state ?? null);
}

/** Sends the host's init for `data` (typed arrays rebuilt in the page, as structured clone would deliver them). */
async function sendInit(page, d, extraLayout = {}) {
  const plain = {
    ...d,
    items: { ...d.items, labels: Array.from(d.items.labels) },
    layout: { pca: Array.from(d.layout.pca), umap: Array.from(d.layout.umap), ...extraLayout },
    neighbours: { ...d.neighbours, indices: Array.from(d.neighbours.indices), distances: Array.from(d.neighbours.distances) },
  };
  await page.evaluate((p) => {
    const data = {
      ...p,
      items: { ...p.items, labels: Int32Array.from(p.items.labels) },
      layout: { ...p.layout, pca: Float32Array.from(p.layout.pca), umap: Float32Array.from(p.layout.umap) },
      neighbours: { ...p.neighbours, indices: Int32Array.from(p.neighbours.indices), distances: Float32Array.from(p.neighbours.distances) },
    };
    window.postMessage({ type: 'init', mode: 'panel', data }, '*');
  }, plain);
  await page.waitForFunction(
    () => window.lens.stats().pointsDrawn > 0 && !window.lens.stats().animating && window.lens.stats().layout === 'umap',
  );
}

export const tests = [
  {
    name: 'every item is drawn once and the renderer is reported',
    async run({ page, pages, fixture }) {
      const s = await open(page, pages.report);
      assert.equal(s.items, fixture.data.items.n);
      assert.equal(s.pointsDrawn, fixture.data.items.n);
      assert.equal(s.activePoints, fixture.data.items.n);
      assert.ok(['webgl2', 'canvas2d'].includes(s.renderer));
      console.log(`    renderer with --disable-gpu: ${s.renderer}`);
      const bar = await page.locator('.selection-bar').innerText();
      assert.match(bar, /320 points · (WebGL2|Canvas 2D)/);
    },
  },
  {
    name: 'starts as PCA and animates into UMAP',
    async run({ page, pages }) {
      await page.goto(pages.report);
      // The first settled state may be observed late on a busy machine, so record the sequence.
      await page.waitForFunction(() => window.lens?.stats().layout === 'umap' && !window.lens.stats().animating, null, { timeout: 15000 });
      const pressed = await page.locator('.segmented[aria-label="Layout"] [aria-pressed="true"]').innerText();
      assert.equal(pressed, 'UMAP');
      await page.getByRole('button', { name: 'PCA' }).click();
      await page.waitForFunction(() => window.lens.stats().layout === 'pca' && !window.lens.stats().animating);
      assert.equal(await page.locator('.segmented[aria-label="Layout"] [aria-pressed="true"]').innerText(), 'PCA');
    },
  },
  {
    name: 'canvas 2D fallback draws every point',
    async run({ page, pages, fixture }) {
      const s = await open(page, pages.report2d);
      assert.equal(s.renderer, 'canvas2d');
      assert.equal(s.pointsDrawn, fixture.data.items.n);
      const painted = await page.evaluate(() => {
        const c = document.querySelector('canvas.map-points');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let k = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) k++;
        return k;
      });
      assert.ok(painted > fixture.data.items.n, `only ${painted} pixels painted`);
    },
  },
  {
    name: 'WebGL2 renderer (software GL here) draws every point',
    async run({ page, pages, fixture }) {
      const s = await open(page, pages.reportGl);
      assert.equal(s.renderer, 'webgl2');
      assert.equal(s.pointsDrawn, fixture.data.items.n);
      // Read back through the PNG-export path (render + copy in one task), then count painted pixels.
      const painted = await page.evaluate(() => {
        const c = window.lens.app.map.snapshot();
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const [r0, g0, b0] = [d[0], d[1], d[2]];
        let k = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] !== r0 || d[i + 1] !== g0 || d[i + 2] !== b0) k++;
        return k;
      });
      assert.ok(painted > fixture.data.items.n, `only ${painted} pixels painted`);
    },
  },
  {
    name: 'legend lists one row per class; toggling greys a class without hiding it',
    async run({ page, pages, fixture }) {
      await open(page, pages.report);
      const C = fixture.data.items.classNames.length;
      assert.equal(await page.locator('.legend-row').count(), C);
      const size = fixture.data.classes[1].size;
      await page.locator('.legend-row[data-class="1"] .legend-toggle').click();
      let s = await page.evaluate(() => window.lens.stats());
      assert.equal(s.pointsDrawn, fixture.data.items.n, 'greyed points are still drawn');
      assert.equal(s.activePoints, fixture.data.items.n - size);
      assert.equal(await page.locator('.legend-row[data-class="1"] .legend-toggle').getAttribute('aria-checked'), 'false');
      await page.locator('.legend-row[data-class="2"]').hover();
      await page.locator('.legend-row[data-class="2"] .legend-only').click();
      s = await page.evaluate(() => window.lens.stats());
      assert.equal(s.activePoints, fixture.data.classes[2].size);
      await page.getByRole('button', { name: 'Show all classes' }).first().click();
      s = await page.evaluate(() => window.lens.stats());
      assert.equal(s.activePoints, fixture.data.items.n);
    },
  },
  {
    name: 'header shows the metrics, counts, skipped files and stage times',
    async run({ page, pages, fixture }) {
      await open(page, pages.report);
      const m = fixture.data.metrics;
      for (const r of m.recallAtK) {
        assert.equal(await page.locator(`.metric[data-metric="R@${r.k}"] .metric-value`).innerText(), r.value.toFixed(3));
      }
      assert.equal(await page.locator('.metric[data-metric="MAP@R"] .metric-value').innerText(), m.mapAtR.toFixed(3));
      assert.equal(await page.locator('.metric[data-metric="R-Prec"] .metric-value').innerText(), m.rPrecision.toFixed(3));
      assert.equal(await page.locator('.metric[data-metric="P@1"] .metric-value').innerText(), m.precisionAt1.toFixed(3));
      assert.equal(await page.locator('.metric[data-metric="NMI"] .metric-value').innerText(), m.nmi.toFixed(3));
      const meta = await page.locator('.lens-header').innerText();
      assert.match(meta, /items\s*320/);
      assert.match(meta, /classes\s*4/);
      assert.match(meta, /2 skipped files/);
      assert.match(meta, /UMAP 4\.1 s/);
      assert.match(meta, /tfjs wasm/);
    },
  },
  {
    name: 'clicking a point lists its K neighbours with the expected hit/miss marks',
    async run({ page, pages, fixture }) {
      await open(page, pages.report);
      const hittable = await hittableItems(page, fixture.data.items.n);
      const q = pickQueryItem(fixture, hittable);
      await clickItem(page, q);
      const k = fixture.data.neighbours.k;
      await page
        .locator('.result')
        .nth(k - 1)
        .waitFor();
      assert.equal(await page.locator('.result').count(), k);
      const marks = await page.locator('.result').evaluateAll((els) => els.map((e) => e.dataset.hit));
      assert.deepEqual(marks, expectedMarks(fixture, q, k));
      const idx = await page.locator('.result').evaluateAll((els) => els.map((e) => Number(e.dataset.index)));
      assert.deepEqual(idx, Array.from(fixture.data.neighbours.indices.subarray(q * k, (q + 1) * k)));
      const hits = marks.filter((x) => x === 'hit').length;
      assert.equal(await page.locator('.precision').innerText(), `precision@${k} ${(hits / k).toFixed(3)}`);
      const d0 = await page.locator('.result .distance').first().innerText();
      assert.equal(d0, fixture.data.neighbours.distances[q * k].toFixed(4));
      // Smaller K re-queries from the same table.
      await page.locator('#lens-k').fill('4');
      await page.locator('#lens-k').press('Enter');
      await page.waitForFunction(() => document.querySelectorAll('.result').length === 4);
      assert.deepEqual(await page.locator('.result').evaluateAll((els) => els.map((e) => e.dataset.hit)), expectedMarks(fixture, q, 4));
      // Hovering a result highlights it on the map.
      const target = idx[1];
      await page.locator('.result').nth(1).hover();
      const hot = await page.evaluate(() => window.lens.app.map.marks.hot);
      assert.equal(hot, target);
    },
  },
  {
    name: 'hover shows a tooltip with thumbnail, class and path',
    async run({ page, pages, fixture }) {
      await open(page, pages.report);
      const [i] = await hittableItems(page, 40);
      const [x, y] = await page.evaluate((i) => window.lens.screenOf(i), i);
      const box = await page.locator('.map-interact').boundingBox();
      await page.mouse.move(box.x + x, box.y + y);
      const tip = page.locator('.map-tooltip');
      await tip.waitFor({ state: 'visible' });
      assert.equal(await tip.locator('.tip-path').innerText(), fixture.data.items.paths[i]);
      assert.equal(await tip.locator('.tip-class').innerText(), fixture.data.items.classNames[fixture.data.items.labels[i]]);
      assert.equal(await tip.locator('img.thumb').count(), 1);
    },
  },
  {
    name: 'the EET view shows the engine numbers',
    async run({ page, pages, fixture }) {
      await open(page, pages.report);
      await page.getByRole('tab', { name: 'EET loss' }).click();
      const e = fixture.data.eet;
      for (const key of ['mc', 'ec', 'm', 'e', 'edc', 'total']) {
        assert.equal(await page.locator(`.term[data-term="${key}"] .term-mean`).innerText(), e.terms[key].mean.toFixed(4), key);
        assert.equal(
          (await page.locator(`.term[data-term="${key}"] .term-std`).innerText()).trim(),
          `± ${e.terms[key].std.toFixed(4)}`.trim(),
          key,
        );
      }
      assert.equal(await page.locator('.violation-value').innerText(), `${(e.violationRate * 100).toFixed(1)}%`);
      assert.match(await page.locator('.eet .settings').innerText(), /margin α\s*0\.30/);
      assert.equal(await page.locator('.eet-table tbody tr').count(), fixture.data.items.classNames.length);
      assert.equal(await page.locator('svg.histogram path.hist-dap').count(), 1);
      assert.equal(await page.locator('svg.histogram path.hist-dan').count(), 1);
    },
  },
  {
    name: 'sampled metrics: the header says "R@1 0.812 ± 0.008" and "N of M queries", the class table how many per class',
    async run({ page, pages, mods }) {
      const sampled = mods.buildFixture({ sampledOf: 1_000_000 }).data;
      const m = sampled.metrics;
      await open(page, pages.reportSampled);
      const r1 = m.recallAtK.find((r) => r.k === 1);
      const tile = page.locator('.metric[data-metric="R@1"]');
      assert.equal(await tile.locator('.metric-value').innerText(), `${r1.value.toFixed(3)} ± ${m.sampled.ci95['recall@1'].toFixed(3)}`);
      assert.equal(
        await page.locator('.metric[data-metric="MAP@R"] .metric-value').innerText(),
        `${m.mapAtR.toFixed(3)} ± ${m.sampled.ci95['map@r'].toFixed(3)}`,
      );
      assert.match(await page.locator('.lens-header .meta').innerText(), /320 of 1,000,000 queries/);
      await page.getByRole('tab', { name: 'Classes' }).click();
      assert.equal(await page.locator('.class-table th', { hasText: 'Sampled' }).count(), 1);
      const cells = await page.locator('.class-table td.sampled').allInnerTexts();
      assert.deepEqual(cells.map(Number).sort(), sampled.classes.map((c) => c.sampledQueries).sort());
      // The exact report has neither.
      await open(page, pages.report);
      assert.doesNotMatch(await page.locator('.metric[data-metric="R@1"] .metric-value').innerText(), /±/);
    },
  },
  {
    name: 'class table sorts worst first and a row click isolates the class',
    async run({ page, pages, fixture }) {
      await open(page, pages.report);
      await page.getByRole('tab', { name: 'Classes' }).click();
      const rows = page.locator('.classes .class-table tbody tr');
      assert.equal(await rows.count(), fixture.data.classes.length);
      const worst = [...fixture.data.classes].sort((a, b) => a.mapAtR - b.mapAtR)[0];
      assert.equal(Number(await rows.first().getAttribute('data-class')), worst.classIndex);
      await rows.first().click();
      const s = await page.evaluate(() => window.lens.stats());
      assert.equal(s.activePoints, worst.size);
      assert.equal(await page.locator(`.legend-row[data-class="${worst.classIndex}"]`).getAttribute('class'), 'legend-row isolated');
      // Sorting by size flips on a second click.
      await page.locator('th button.sort', { hasText: 'P@1' }).click();
      assert.equal(await page.locator('th[aria-sort="ascending"]').innerText(), 'P@1 ▲');
    },
  },
  {
    name: 'box and lasso selection grey the rest and summarise by class; search selects by class or path',
    async run({ page, pages, fixture }) {
      await open(page, pages.report);
      const box = await page.locator('.map-interact').boundingBox();
      await page.getByRole('button', { name: 'Box select' }).click();
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.7, { steps: 4 });
      await page.mouse.move(box.x + box.width * 0.95, box.y + box.height * 0.95, { steps: 4 });
      await page.mouse.up();
      const sel = await page.evaluate(() => window.lens.app.state.selection.length);
      assert.ok(sel > 0 && sel < fixture.data.items.n, `box selected ${sel}`);
      let s = await page.evaluate(() => window.lens.stats());
      assert.equal(s.activePoints, sel);
      assert.equal(s.pointsDrawn, fixture.data.items.n);
      assert.equal(await page.locator('[data-selection-count]').getAttribute('data-selection-count'), String(sel));
      // Lasso: a triangle over the left half.
      await page.getByRole('button', { name: 'Lasso select' }).click();
      await page.mouse.move(box.x + 5, box.y + 5);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.5, box.y + 5, { steps: 5 });
      await page.mouse.move(box.x + 5, box.y + box.height - 5, { steps: 5 });
      await page.mouse.up();
      const lasso = await page.evaluate(() => window.lens.app.state.selection.length);
      assert.ok(lasso > 0, 'lasso selected nothing');
      await page.locator('.map-interact').press('Escape');
      s = await page.evaluate(() => window.lens.stats());
      assert.equal(s.activePoints, fixture.data.items.n);
      // Search by class name (the one with a comma) and by path fragment.
      await page.getByLabel('Search by class name or path').fill('coat');
      s = await page.evaluate(() => window.lens.stats());
      assert.equal(s.activePoints, fixture.data.classes[2].size);
      await page.getByLabel('Search by class name or path').fill('img_0017');
      s = await page.evaluate(() => window.lens.stats());
      assert.equal(s.activePoints, 10);
    },
  },
  {
    name: 'keyboard: the map zooms and pans, tabs move with arrow keys, every control has a name',
    async run({ page, pages }) {
      await open(page, pages.report);
      await page.locator('.map-interact').focus();
      await page.keyboard.press('+');
      let t = await page.evaluate(() => window.lens.app.state.transform);
      assert.ok(t && t.k > 1.4, `zoom ${JSON.stringify(t)}`);
      await page.keyboard.press('ArrowLeft');
      const t2 = await page.evaluate(() => window.lens.app.state.transform);
      assert.ok(t2.x > t.x);
      await page.keyboard.press('0');
      t = await page.evaluate(() => window.lens.app.state.transform);
      assert.equal(t.k, 1);
      await page.getByRole('tab', { name: 'Neighbours' }).focus();
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.getByRole('tab', { name: 'Classes' }).getAttribute('aria-selected'), 'true');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-classes');
      const unnamed = await page.evaluate(() =>
        [...document.querySelectorAll('button, input, [role="tab"], [tabindex="0"]')]
          .filter(
            (el) =>
              !(
                el.getAttribute('aria-label') ||
                el.textContent?.trim() ||
                el.getAttribute('title') ||
                (el.id && document.querySelector(`label[for="${el.id}"]`))
              ),
          )
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      assert.deepEqual(unnamed, []);
    },
  },
  {
    name: 'exports in a report are downloads: metrics CSV and class JSON',
    async run({ page, pages, fixture }) {
      await open(page, pages.report);
      await page.locator('.export > summary').click();
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Metrics as CSV' }).click()]);
      const csv = await (await dl.createReadStream()).toArray().then((b) => Buffer.concat(b).toString('utf8'));
      assert.match(csv, /^metric,value\n/);
      assert.match(csv, new RegExp(`map@r,${fixture.data.metrics.mapAtR}`));
      await page.locator('.export > summary').click();
      const [dl2] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Class table as JSON' }).click()]);
      const json = JSON.parse(await (await dl2.createReadStream()).toArray().then((b) => Buffer.concat(b).toString('utf8')));
      assert.equal(json.length, fixture.data.classes.length);
      assert.equal(json[2].class, 'coat, long');
      await page.locator('.export > summary').click();
      const [dl3] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Map as PNG' }).click()]);
      const png = await (await dl3.createReadStream()).toArray().then((b) => Buffer.concat(b));
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    },
  },
  {
    name: 'panel mode: ready→init handshake, host neighbour query, validated export message, restored state',
    async run({ page, pages, fixture, mods }) {
      const d = fixture.data;
      // Typed arrays cross into the page as plain arrays; the stub rebuilds them before "posting".
      const plain = {
        ...d,
        items: { ...d.items, labels: Array.from(d.items.labels) },
        layout: { pca: Array.from(d.layout.pca), umap: Array.from(d.layout.umap) },
        neighbours: { ...d.neighbours, indices: Array.from(d.neighbours.indices), distances: Array.from(d.neighbours.distances) },
      };
      await page.addInitScript(() => {
        window.__posted = [];
        window.__state = { tab: 'eet', hiddenClasses: [3], isolatedClass: null, selection: [], search: '', queryIndex: null, k: 12 };
        window.acquireVsCodeApi = () => ({
          postMessage: (m) => window.__posted.push(m),
          getState: () => window.__state,
          setState: (s) => {
            window.__state = s;
          },
        });
      });
      await page.goto(pages.panel);
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
      const ready = await page.evaluate(() => window.__posted.find((m) => m.type === 'ready'));
      assert.equal(mods.protocol.validateWebviewMessage(ready).type, 'ready');
      assert.equal(ready.state.tab, 'eet');
      await page.evaluate((p) => {
        const data = {
          ...p,
          items: { ...p.items, labels: Int32Array.from(p.items.labels) },
          layout: { pca: Float32Array.from(p.layout.pca), umap: Float32Array.from(p.layout.umap) },
          neighbours: {
            ...p.neighbours,
            indices: Int32Array.from(p.neighbours.indices),
            distances: Float32Array.from(p.neighbours.distances),
          },
        };
        window.postMessage({ type: 'init', mode: 'panel', data }, '*');
      }, plain);
      await page.waitForFunction(
        () => window.lens.stats().pointsDrawn > 0 && !window.lens.stats().animating && window.lens.stats().layout === 'umap',
      );
      // Restored: EET tab open, class 3 greyed.
      assert.equal(await page.getByRole('tab', { name: 'EET loss' }).getAttribute('aria-selected'), 'true');
      assert.equal(await page.locator('.legend-row[data-class="3"] .legend-toggle').getAttribute('aria-checked'), 'false');
      // K = 12 exceeds the precomputed 10: the query goes to the host with a request id.
      const hittable = await hittableItems(page, d.items.n);
      const q = hittable[0];
      await clickItem(page, q);
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'neighbours'));
      const req = mods.protocol.validateWebviewMessage(await page.evaluate(() => window.__posted.find((m) => m.type === 'neighbours')));
      assert.equal(req.index, q);
      assert.equal(req.k, 12);
      await page.evaluate(
        ({ id, q }) => {
          const idx = Int32Array.from({ length: 12 }, (_, j) => (q + j + 1) % 320);
          window.postMessage(
            {
              type: 'neighboursResult',
              requestId: id,
              result: { query: { kind: 'item', index: q }, queryLabel: 0, indices: idx, distances: new Float32Array(12).fill(0.5) },
            },
            '*',
          );
        },
        { id: req.requestId, q },
      );
      await page.waitForFunction(() => document.querySelectorAll('.result').length === 12);
      await page.getByRole('button', { name: 'Open image' }).click();
      const open = mods.protocol.validateWebviewMessage(await page.evaluate(() => window.__posted.find((m) => m.type === 'openItem')));
      assert.deepEqual(open, { type: 'openItem', index: q });
      // Export goes to the host as a validated message.
      await page.locator('.export > summary').click();
      await page.getByRole('menuitem', { name: 'Class table as CSV' }).click();
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'export'));
      const exp = mods.protocol.validateWebviewMessage(await page.evaluate(() => window.__posted.find((m) => m.type === 'export')));
      assert.equal(exp.format, 'csv');
      assert.match(exp.fileName, /-classes\.csv$/);
      assert.match(exp.content, /^class,size,mean_dist_to_centroid/);
      assert.match(exp.content, /"coat, long"/);
      // Progress with Cancel, then a host error.
      await page.evaluate(() => window.postMessage({ type: 'progress', stage: 'UMAP', done: 50, total: 200 }, '*'));
      await page.getByRole('button', { name: 'Cancel' }).click();
      assert.ok(await page.evaluate(() => window.__posted.some((m) => m.type === 'cancel')));
      await page.evaluate(() => window.postMessage({ type: 'error', message: 'expected N×D float32', file: '/x/emb.npy' }, '*'));
      // window.postMessage is delivered as a later task: wait for the toast rather than read it at once.
      await page.waitForFunction(() => !document.querySelector('.toast')?.hidden);
      assert.match(await page.locator('.toast').innerText(), /\/x\/emb\.npy: expected N×D float32/);
      // View state was saved for the next reload.
      await page.waitForFunction(() => window.__state.queryIndex !== null);
      const saved = await page.evaluate(() => window.__state);
      assert.equal(mods.protocol.validateInspectionViewState(saved).queryIndex, q);
    },
  },
  {
    name: 'panel mode fills in stage by stage: items, layout frames, metrics, EET; an image query goes to the host',
    async run({ page, pages, fixture, mods }) {
      const d = fixture.data;
      await page.addInitScript(() => {
        window.__posted = [];
        window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });
      });
      await page.goto(pages.panel);
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
      assert.equal(await page.locator('.metric.pending').count(), 1);
      const items = { n: d.items.n, labels: Array.from(d.items.labels), classNames: d.items.classNames, paths: d.items.paths };
      await page.evaluate((items) => {
        window.postMessage(
          { type: 'init', mode: 'panel', data: { title: 'live', source: { checkpoint: '/m/model.onnx', dataset: '/d' } } },
          '*',
        );
        window.postMessage({ type: 'progress', stage: 'embed', done: 10, total: 320 }, '*');
        window.postMessage(
          {
            type: 'stage',
            stage: 'embed',
            patch: { items: { ...items, labels: Int32Array.from(items.labels) }, backend: 'onnxruntime cpu' },
          },
          '*',
        );
      }, items);
      await page.waitForFunction(() => document.querySelectorAll('.legend-row').length === 4);
      assert.match(await page.locator('.progress').innerText(), /embed/);
      const pca = Array.from(d.layout.pca),
        umap = Array.from(d.layout.umap);
      await page.evaluate(
        ({ pca, umap }) => {
          window.postMessage({ type: 'stage', stage: 'pca', patch: { layout: { pca: Float32Array.from(pca) } } }, '*');
          const mid = Float32Array.from(umap, (u, i) => (u + pca[i]) / 2);
          window.postMessage({ type: 'layoutFrame', layout: 'umap', epoch: 100, epochs: 200, coords: mid, final: false }, '*');
          window.postMessage(
            { type: 'layoutFrame', layout: 'umap', epoch: 200, epochs: 200, coords: Float32Array.from(umap), final: true },
            '*',
          );
        },
        { pca, umap },
      );
      await page.waitForFunction(
        () => window.lens.stats().layout === 'umap' && !window.lens.stats().animating && window.lens.stats().pointsDrawn === 320,
      );
      assert.equal(await page.locator('.metric.pending').count(), 1, 'metrics not there yet');
      await page.evaluate(
        ({ metrics, classes, eet }) => {
          window.postMessage({ type: 'stage', stage: 'metrics', patch: { metrics, classes } }, '*');
          window.postMessage({ type: 'stage', stage: 'eet', patch: { eet, timings: [{ stage: 'embed', ms: 1200 }] } }, '*');
          window.postMessage({ type: 'done' }, '*');
        },
        { metrics: d.metrics, classes: d.classes, eet: d.eet },
      );
      await page.waitForFunction(() => document.querySelector('.metric[data-metric="MAP@R"]'));
      assert.equal(await page.locator('.metric[data-metric="MAP@R"] .metric-value').innerText(), d.metrics.mapAtR.toFixed(3));
      assert.ok(await page.locator('.progress').isHidden());
      await page.getByRole('tab', { name: 'EET loss' }).click();
      assert.equal(await page.locator('.term[data-term="total"] .term-mean').innerText(), d.eet.terms.total.mean.toFixed(4));
      // No precomputed table in this panel: a click asks the host; an image pick sends its bytes.
      await page.getByRole('tab', { name: 'Neighbours' }).click();
      await page.setInputFiles('#lens-pick-image', {
        name: 'query.png',
        mimeType: 'image/png',
        buffer: Buffer.from([137, 80, 78, 71, 1, 2, 3]),
      });
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'queryImage'));
      const q = await page.evaluate(() => {
        const m = window.__posted.find((m) => m.type === 'queryImage');
        return { ...m, bytes: Array.from(m.bytes) };
      });
      const v = mods.protocol.validateWebviewMessage({ ...q, bytes: Uint8Array.from(q.bytes) });
      assert.equal(v.name, 'query.png');
      assert.deepEqual(Array.from(v.bytes), [137, 80, 78, 71, 1, 2, 3]);
      await page.evaluate(
        (id) =>
          window.postMessage(
            {
              type: 'neighboursResult',
              requestId: id,
              result: {
                query: { kind: 'image', name: 'query.png' },
                queryLabel: 1,
                indices: Int32Array.from([1, 5, 2]),
                distances: Float32Array.from([0.1, 0.2, 0.3]),
              },
            },
            '*',
          ),
        q.requestId,
      );
      await page.waitForFunction(() => document.querySelectorAll('.result').length === 3);
      const marks = await page.locator('.result').evaluateAll((els) => els.map((e) => e.dataset.hit));
      assert.deepEqual(
        marks,
        [1, 5, 2].map((j) => (d.items.labels[j] === 1 ? 'hit' : 'miss')),
      );
    },
  },
  {
    name: 'a stopped UMAP says "partial layout (85/500)" on the map; Resume asks the host, and the finished stage clears it',
    async run({ page, pages, fixture, mods, outDir }) {
      await stubVsCode(page);
      await page.goto(pages.panel);
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
      await sendInit(page, fixture.data, { umapPartial: { epoch: 85, epochs: 500 } });
      const badge = page.locator('.layout-badge');
      await badge.waitFor({ state: 'visible' });
      assert.match(await badge.innerText(), /partial layout \(85\/500\)/);
      assert.equal(await page.locator('.segmented[aria-label="Layout"] [aria-pressed="true"]').innerText(), 'UMAP');
      await page.screenshot({ path: join(outDir, 'partial-umap-dark.png') });
      // On PCA the badge goes (it is about the UMAP layout), and comes back with UMAP.
      await page.getByRole('button', { name: 'PCA' }).click();
      assert.ok(await badge.isHidden());
      await page.getByRole('button', { name: 'UMAP' }).click();
      await badge.waitFor({ state: 'visible' });
      await badge.getByRole('button', { name: 'Resume' }).click();
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'resumeUmap'));
      assert.deepEqual(
        mods.protocol.validateWebviewMessage(await page.evaluate(() => window.__posted.find((m) => m.type === 'resumeUmap'))),
        { type: 'resumeUmap' },
      );
      assert.match(await badge.innerText(), /resuming layout \(85\/500\)…/);
      assert.equal(await badge.getByRole('button', { name: 'Resume' }).count(), 0, 'no second Resume while one runs');
      // Frames stream in, then the finished stage: no longer partial.
      const umap = Array.from(fixture.data.layout.umap);
      await page.evaluate((umap) => {
        window.postMessage(
          { type: 'layoutFrame', layout: 'umap', epoch: 90, epochs: 500, coords: Float32Array.from(umap), final: false },
          '*',
        );
        window.postMessage(
          { type: 'stage', stage: 'umap', patch: { layout: { umap: Float32Array.from(umap), umapPartial: undefined } } },
          '*',
        );
      }, umap);
      await badge.waitFor({ state: 'hidden' });
      // Cancelled again: the newer partial shows, with Resume.
      await page.evaluate(
        (umap) =>
          window.postMessage(
            {
              type: 'stage',
              stage: 'umap',
              patch: { layout: { umap: Float32Array.from(umap), umapPartial: { epoch: 120, epochs: 500 } } },
            },
            '*',
          ),
        umap,
      );
      await badge.waitFor({ state: 'visible' });
      assert.match(await badge.innerText(), /partial layout \(120\/500\)/);
      assert.equal(await badge.getByRole('button', { name: 'Resume' }).count(), 1);
    },
  },
  {
    name: 'the partial state survives a reload (the host replays it) and shows in a report, where nothing can resume it',
    async run({ page, pages, fixture, mods, outDir }) {
      // A reloaded webview gets the host's data again in its init: the same badge.
      await stubVsCode(page, {
        tab: 'classes',
        hiddenClasses: [],
        isolatedClass: null,
        selection: [],
        search: '',
        queryIndex: null,
        k: 10,
      });
      await page.goto(pages.panel);
      await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
      await sendInit(page, fixture.data, { umapPartial: { epoch: 85, epochs: 500 } });
      await page.locator('.layout-badge').waitFor({ state: 'visible' });
      assert.equal(await page.getByRole('tab', { name: 'Classes' }).getAttribute('aria-selected'), 'true');
      // A report keeps the mark through its JSON encoding, without a Resume button (a page of
      // its own: this one's stubbed VS Code API would make the report wait for a host).
      const report = await page.context().newPage();
      try {
        await open(report, variantPage(mods, outDir, 'report-partial.html', partialData(fixture)));
        assert.match(await report.locator('.layout-badge').innerText(), /partial layout \(85\/500\)/);
        assert.equal(await report.locator('.layout-badge button').count(), 0);
        // An unmarked report shows none.
        await open(report, pages.report);
        assert.ok(await report.locator('.layout-badge').isHidden());
      } finally {
        await report.close();
      }
    },
  },
  {
    name: 'class table: in a narrow side bar the sorted column stays in view (sticky) and the class name too',
    async run({ page, pages, outDir }) {
      await page.setViewportSize({ width: 1000, height: 800 });
      await open(page, pages.report);
      await page.getByRole('tab', { name: 'Classes' }).click();
      const wrap = page.locator('.classes .table-wrap');
      const inView = async (label) => {
        const w = await wrap.boundingBox();
        const th = await page.locator('.classes .class-table th', { hasText: label }).first().boundingBox();
        return th.x >= w.x - 1 && th.x + th.width <= w.x + w.width + 1;
      };
      const overflow = await wrap.evaluate((el) => el.scrollWidth - el.clientWidth);
      assert.ok(overflow > 0, 'the table is wider than the side bar at this size (else this test shows nothing)');
      for (const label of ['MAP@R', 'Spread', 'P@1', 'Size']) {
        const th = page.locator('.classes .class-table th', { hasText: label }).first();
        await th.locator('button.sort').click();
        await wrap.evaluate((el) => {
          el.scrollLeft = 0;
        });
        assert.ok(await inView(label), `${label} scrolled out of view while sorted by it`);
        assert.ok(await inView('Class'), 'the class name column stays');
        await wrap.evaluate((el) => {
          el.scrollLeft = el.scrollWidth;
        });
        assert.ok(await inView(label), `${label} scrolled out of view (scrolled right)`);
        assert.ok(await inView('Class'));
        const name = await page.locator('.classes .class-table th').first().boundingBox();
        const sorted = await th.boundingBox();
        assert.ok(sorted.x >= name.x + name.width - 1, `${label} slid under the class names`);
      }
      await page.screenshot({ path: join(outDir, 'classes-narrow-dark.png') });
    },
  },
  {
    name: 'hover tooltip: a long path wraps between folders, never inside a name',
    async run({ page, fixture, mods, outDir }) {
      const d = fixture.data;
      const long = d.items.paths.map(
        (p, i) =>
          `/home/someone/datasets/stanford-online-products/${d.items.classNames[d.items.labels[i]].replace(/\W+/g, '_')}_final/111085122871_${i}_0123456789.JPG`,
      );
      await open(page, variantPage(mods, outDir, 'report-long-paths.html', { ...d, items: { ...d.items, paths: long } }));
      const [i] = await hittableItems(page, 40);
      const [x, y] = await page.evaluate((i) => window.lens.screenOf(i), i);
      const box = await page.locator('.map-interact').boundingBox();
      await page.mouse.move(box.x + x, box.y + y);
      const tip = page.locator('.map-tooltip .tip-path');
      await tip.waitFor({ state: 'visible' });
      assert.equal(await tip.innerText(), long[i]);
      const lines = await tip.evaluate((el) => {
        const tops = new Set();
        const split = [];
        for (const node of el.querySelectorAll('.path-seg')) {
          const r = document.createRange();
          r.selectNodeContents(node);
          const rects = [...r.getClientRects()].filter((q) => q.width > 0);
          if (new Set(rects.map((q) => Math.round(q.top))).size > 1) split.push(node.textContent);
          for (const q of rects) tops.add(Math.round(q.top));
        }
        return { lines: tops.size, split };
      });
      assert.ok(lines.lines > 1, 'the path needs more than one line in the tooltip');
      assert.deepEqual(lines.split, [], 'no path segment is broken across lines');
    },
  },
  {
    name: 'Selection list: same-named files are told apart by their folder, and each item names its class',
    async run({ page, fixture, mods, outDir }) {
      const d = fixture.data;
      const seen = new Map();
      const paths = d.items.paths.map((_, i) => {
        const cls = d.items.classNames[d.items.labels[i]];
        const k = seen.get(cls) ?? 0;
        seen.set(cls, k + 1);
        return `/data/fashion/${cls}/${String(k).padStart(3, '0')}.png`;
      });
      await open(page, variantPage(mods, outDir, 'report-same-names.html', { ...d, items: { ...d.items, paths } }));
      await page.getByLabel('Search by class name or path').fill('/000.png');
      await page.getByRole('tab', { name: 'Selection' }).click();
      const items = page.locator('.sel-items li');
      assert.equal(await items.count(), d.items.classNames.length);
      const names = await items.locator('.sel-item-path').allInnerTexts();
      const classes = await items.locator('.sel-item-class').allInnerTexts();
      assert.deepEqual([...names].sort(), d.items.classNames.map((c) => `${c}/000.png`).sort());
      assert.deepEqual(
        classes.map((c) => c.trim()),
        names.map((n) => n.split('/')[0]),
      );
    },
  },
  {
    name: 'header: notes that change the numbers stay in view; routine ones wait behind "details"',
    async run({ page, fixture, mods, outDir }) {
      const data = {
        ...fixture.data,
        notes: ['input size 224×224: the model input is dynamic'],
        details: ['tfjs backend tfjs-node-gpu not used: no NVIDIA GPU driver found', 'embeddings loaded from the cache'],
      };
      await open(page, variantPage(mods, outDir, 'report-notes.html', data));
      assert.ok(await page.locator('.lens-header .note', { hasText: 'input size 224×224' }).isVisible());
      const toggle = page.locator('.lens-header details.run-details');
      assert.equal(await toggle.locator('summary').innerText(), 'details (2)');
      assert.ok(await page.getByText('no NVIDIA GPU driver found').isHidden());
      await toggle.locator('summary').click();
      assert.ok(await page.getByText('no NVIDIA GPU driver found').isVisible());
      // A later stage re-renders the header: the toggle stays open.
      await page.waitForFunction(() => window.lens.app.header.detailsOpen, null, { timeout: 3000 });
      await page.evaluate(() => window.lens.app.header.update());
      assert.ok(await page.getByText('embeddings loaded from the cache').isVisible());
    },
  },
  {
    name: 'class colours: 20 classes stay apart (ΔE00) and stand out from the map in the dark and the light theme',
    async run({ page, mods, outDir }) {
      const many = mods.buildFixture({ classes: 20, perClass: 12 }).data;
      const url = variantPage(mods, outDir, 'report-20-classes.html', many);
      for (const theme of ['dark', 'light']) {
        await open(page, url);
        await setTheme(page, theme);
        const swatches = await page
          .locator('.legend-row .legend-toggle .swatch, .legend-row .swatch')
          .evaluateAll((els) => [...new Set(els.map((e) => getComputedStyle(e).backgroundColor))]);
        assert.equal(swatches.length, 20, `one colour per class, got ${swatches.length}`);
        const labs = swatches.map(toLab);
        let minDe = Infinity;
        for (let a = 0; a < labs.length; a++) for (let b = 0; b < a; b++) minDe = Math.min(minDe, deltaE00(labs[a], labs[b]));
        assert.ok(minDe >= 12, `closest two class colours differ by ΔE00 ${minDe.toFixed(1)}`);
        const bg = toLab(await page.locator('.map').evaluate((el) => getComputedStyle(el).backgroundColor));
        const worst = Math.min(...labs.map((l) => contrast(l, bg)));
        assert.ok(worst >= 2.2, `${theme}: weakest class colour has contrast ${worst.toFixed(2)} against the map`);
        await page.screenshot({ path: join(outDir, `palette-20-${theme}.png`) });
      }
    },
  },
  {
    name: 'Map as PNG is a figure: title, metrics and legend around the map, and no leftover query highlights',
    async run({ page, pages, fixture, outDir }) {
      await open(page, pages.report2d);
      const before = await page.evaluate(() => window.lens.app.map.snapshot({ clean: true }).toDataURL());
      const hittable = await hittableItems(page, fixture.data.items.n);
      await clickItem(page, pickQueryItem(fixture, hittable));
      await page.locator('.result').first().waitFor();
      const r = await page.evaluate(() => {
        const map = window.lens.app.map;
        const marked = map.snapshot().toDataURL();
        const clean = map.snapshot({ clean: true });
        const fig = window.lens.app.mapFigure();
        return {
          marked,
          clean: clean.toDataURL(),
          cw: clean.width,
          ch: clean.height,
          fw: fig.width,
          fh: fig.height,
          stillMarked: map.marks.query !== null,
        };
      });
      assert.notEqual(r.marked, before, 'the on-screen map shows the query');
      assert.equal(r.clean, before, 'the exported map has no query highlights');
      assert.ok(r.stillMarked, 'the panel keeps its query after the export');
      assert.ok(r.fw > r.cw + 150 && r.fh > r.ch + 40, `figure ${r.fw}×${r.fh} around a ${r.cw}×${r.ch} map`);
      await page.locator('.export > summary').click();
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Map as PNG' }).click()]);
      const png = await (await dl.createReadStream()).toArray().then((b) => Buffer.concat(b));
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
      assert.equal(png.readUInt32BE(16), r.fw, 'the download is the figure');
      assert.equal(png.readUInt32BE(20), r.fh);
      await page.evaluate(() => {
        const fig = window.lens.app.mapFigure();
        fig.id = 'figure-preview';
        document.body.replaceChildren(fig);
      });
      await page.locator('#figure-preview').screenshot({ path: join(outDir, 'map-export-light.png') });
    },
  },
  {
    name: 'screenshots of each view in light and dark',
    async run({ page, pages, fixture, outDir }) {
      await open(page, pages.report);
      const hittable = await hittableItems(page, fixture.data.items.n);
      const q = pickQueryItem(fixture, hittable);
      for (const theme of ['dark', 'light']) {
        await setTheme(page, theme);
        await clickItem(page, q);
        await page.locator('.result').first().waitFor();
        await page.locator('.result').nth(2).hover();
        await page.screenshot({ path: join(outDir, `neighbours-${theme}.png`) });
        await page.getByRole('tab', { name: 'Classes' }).click();
        await page.screenshot({ path: join(outDir, `classes-${theme}.png`) });
        await page.getByRole('tab', { name: 'EET loss' }).click();
        await page.screenshot({ path: join(outDir, `eet-${theme}.png`) });
        const box = await page.locator('.map-interact').boundingBox();
        await page.getByRole('button', { name: 'Lasso select' }).click();
        await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
        await page.mouse.down();
        for (const [fx, fy] of [
          [0.7, 0.2],
          [0.75, 0.6],
          [0.45, 0.75],
          [0.25, 0.5],
        ]) {
          await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy, { steps: 3 });
        }
        await page.mouse.up();
        await page.screenshot({ path: join(outDir, `selection-${theme}.png`) });
        await page.locator('.map-interact').press('Escape');
        await page.getByRole('button', { name: /^Pan and zoom/ }).click();
      }
    },
  },
];
