// Panel rendering figures in headless Chromium (the same flags as the browser tests: --disable-gpu,
// so "webgl2" means Chromium's software GL). Prints one JSON object:
//   { points, firstFrameMs, zoomFrameMedianMs, hoverHitTestMs, renderer, ... }
// for the default renderer choice, plus the same figures with the canvas-2D renderer forced and a
// naive peer (one fillRect per point, as a plain d3 + canvas scatter plot draws).
// Usage: node bench/panel/run.mjs [--quick] [--points N]
import { join } from 'node:path';
import { ensureBuilt, loadModules, root, writeReportPage, launchBrowser } from '../../test/webview/pages.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const pi = argv.indexOf('--points');
const points = pi >= 0 ? Number(argv[pi + 1]) : quick ? 20_000 : 200_000;
const classes = 20;

ensureBuilt();
const mods = await loadModules();
const tBuild = Date.now();
const { data } = mods.buildFixture({
  classes,
  perClass: Math.ceil(points / classes),
  dim: 8,
  layoutOnly: true,
  thumbnails: false,
  seed: 5,
});
const fixtureMs = Date.now() - tBuild;
const outDir = join(root, 'bench/results/panel');
const pages = {
  auto: writeReportPage(mods, data, outDir, 'auto.html', { theme: 'dark' }),
  canvas2d: writeReportPage(mods, data, outDir, 'canvas2d.html', { theme: 'dark', renderer: 'canvas2d' }),
  webgl2: writeReportPage(mods, data, outDir, 'webgl2.html', { theme: 'dark', renderer: 'webgl2' }),
};

const { context, close: closeBrowser } = await launchBrowser('lens-bench-');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN;
};
const pctl = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const r2 = (x) => Math.round(x * 100) / 100;

async function measure(url) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url, { timeout: 120_000 });
  await page.waitForFunction(() => window.lens?.stats().firstFrameAt !== null, null, { timeout: 120_000 });
  await page.waitForFunction(() => !window.lens.stats().animating && window.lens.stats().layout === 'umap', null, { timeout: 120_000 });
  const result = await page.evaluate(async () => {
    const lens = window.lens;
    const s = lens.stats();
    // Zoom: 60 steps in then out about the map centre; each frame timed from the transform
    // change to the GPU having finished (readPixels sync), like a wheel-driven frame.
    const el = document.querySelector('.map-interact').getBoundingClientRect();
    const cx = el.width / 2,
      cy = el.height / 2;
    const frames = [];
    let k = 1;
    for (let i = 0; i < 60; i++) {
      k *= i < 30 ? 1.08 : 1 / 1.08;
      const t0 = performance.now();
      lens.setTransform({ x: cx - cx * k, y: cy - cy * k, k });
      lens.renderNow();
      lens.finish();
      frames.push(performance.now() - t0);
      await new Promise((r) => requestAnimationFrame(r));
    }
    // Hover: random positions over the map; the first call builds the quadtree and is timed apart.
    lens.setTransform({ x: 0, y: 0, k: 1 });
    // The quadtree is built in slices after the layout settles; time a fresh build to completion.
    lens.app.map.tree = null;
    const q0 = performance.now();
    lens.hitTest(cx, cy);
    while (!lens.hoverIndexReady()) await new Promise((r) => setTimeout(r, 0));
    const quadtreeBuildMs = performance.now() - q0;
    let seed = 1;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const hits = [];
    let found = 0;
    for (let i = 0; i < 2000; i++) {
      const x = rnd() * el.width,
        y = rnd() * el.height;
      const t0 = performance.now();
      if (lens.hitTest(x, y) !== null) found++;
      hits.push(performance.now() - t0);
    }
    // Batch timing too: performance.now() is coarsened to 0.1 ms or more in some builds.
    const b0 = performance.now();
    for (let i = 0; i < 20000; i++) lens.hitTest(rnd() * el.width, rnd() * el.height);
    const batchPerCallMs = (performance.now() - b0) / 20000;
    return {
      renderer: s.renderer,
      decodeMs: s.decodeMs,
      firstFrameMs: s.firstFrameAt - s.initAt,
      initWorkMs: s.initWorkMs,
      frames,
      quadtreeBuildMs,
      hits,
      hitFraction: found / 2000,
      batchPerCallMs,
      pointsDrawn: s.pointsDrawn,
    };
  });
  await page.close();
  if (errors.length) throw new Error(errors.join('\n'));
  return {
    renderer: result.renderer,
    pointsDrawn: result.pointsDrawn,
    firstFrameMs: r2(result.firstFrameMs),
    initWorkMs: r2(result.initWorkMs),
    reportDecodeMs: r2(result.decodeMs),
    zoomFrameMedianMs: r2(median(result.frames)),
    zoomFrameP90Ms: r2(pctl(result.frames, 0.9)),
    hoverHitTestMs: r2(Math.max(result.batchPerCallMs, 0)),
    hoverHitTestMedianMs: r2(median(result.hits)),
    hoverHitTestP99Ms: r2(pctl(result.hits, 0.99)),
    quadtreeBuildMs: r2(result.quadtreeBuildMs),
  };
}

/** Peer: the straightforward canvas scatter plot — fillRect per point, fillStyle per class run. */
async function naivePeer() {
  const page = await context.newPage();
  await page.setContent('<canvas width="980" height="660"></canvas>');
  const ms = await page.evaluate(
    ({ n, classes }) => {
      const ctx = document.querySelector('canvas').getContext('2d');
      let seed = 7;
      const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
      const xy = new Float32Array(n * 2).map(() => rnd());
      const times = [];
      for (let f = 0; f < 10; f++) {
        const t0 = performance.now();
        ctx.clearRect(0, 0, 980, 660);
        for (let i = 0; i < n; i++) {
          ctx.fillStyle = `hsl(${(i % classes) * 18},60%,55%)`;
          ctx.fillRect(xy[2 * i] * 960, xy[2 * i + 1] * 640, 2, 2);
        }
        ctx.getImageData(0, 0, 1, 1);
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b)[5];
    },
    { n: data.items.n, classes },
  );
  await page.close();
  return r2(ms);
}

let out;
try {
  const auto = await measure(pages.auto);
  const other = auto.renderer === 'canvas2d' ? await measure(pages.webgl2) : await measure(pages.canvas2d);
  out = {
    points: data.items.n,
    firstFrameMs: auto.firstFrameMs,
    zoomFrameMedianMs: auto.zoomFrameMedianMs,
    hoverHitTestMs: auto.hoverHitTestMs,
    renderer: auto.renderer,
    targets: { firstFrameMs: 1000, zoomFrameMedianMs: 33, hoverHitTestMs: 1 },
    detail: { [auto.renderer]: auto, [other.renderer]: other },
    peer: { naiveCanvasFillRectFrameMs: await naivePeer() },
    notes: [
      'headless Chromium with --disable-gpu: WebGL2 is software GL (SwiftShader), which the auto choice detects and skips for the canvas-2D ImageData path; detail.webgl2 forces it for comparison',
      'firstFrameMs: from the init data in memory to the first frame with every point drawn; reportDecodeMs is parsing the inlined data before that',
      'hoverHitTestMs: mean of 20,000 quadtree hit-tests; quadtreeBuildMs is the wall time of the sliced background build (once per layout; hover uses a linear scan meanwhile)',
    ],
    fixtureMs,
    cpus: (await import('node:os')).cpus().length,
    loadavg: (await import('node:os')).loadavg().map(r2),
  };
} finally {
  await closeBrowser();
}
console.log(JSON.stringify(out, null, 2));
