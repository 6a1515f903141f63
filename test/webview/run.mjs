// Browser tier: the panel bundle in real headless Chromium (playwright-core, Debian's chromium).
// Opens the report-mode page with deterministic fixture data and a panel-mode page with a stubbed
// VS Code API, asserts on the DOM and the panel's test hook (window.lens), and saves screenshots
// of each view in light and dark to test-results/webview/. Last line: "webview: N passed, N failed".
// Usage: node test/webview/run.mjs [name-filter]   (assumes `node scripts/build.mjs` ran; builds if not)
import { rmSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, loadModules, root, writePanelPage, writeReportPage, launchBrowser } from './pages.mjs';
import { tests } from './panel.tests.mjs';
import { tests as trainingTests } from './training.tests.mjs';
import { tests as compareTests } from './compare.tests.mjs';

const filter = process.argv[2];
const outDir = join(root, 'test-results/webview');
mkdirSync(outDir, { recursive: true });
for (const f of readdirSync(outDir)) if (f.startsWith('FAILED-')) rmSync(join(outDir, f));
ensureBuilt();
const mods = await loadModules();
const fixture = mods.buildFixture();
const pages = {
  report: writeReportPage(mods, fixture.data, outDir, 'report-dark.html', { theme: 'dark' }),
  report2d: writeReportPage(mods, fixture.data, outDir, 'report-canvas2d.html', { theme: 'light', renderer: 'canvas2d' }),
  reportGl: writeReportPage(mods, fixture.data, outDir, 'report-webgl2.html', { theme: 'dark', renderer: 'webgl2' }),
  panel: writePanelPage(mods, outDir, 'panel.html'),
  // The same data presented as metrics estimated from 320 of 1,000,000 queries.
  reportSampled: writeReportPage(mods, mods.buildFixture({ sampledOf: 1_000_000 }).data, outDir, 'report-sampled.html', { theme: 'dark' }),
};

const { context, close: closeBrowser } = await launchBrowser('lens-webview-');

let passed = 0;
let failed = 0;
const selected = [...tests, ...trainingTests, ...compareTests].filter((t) => !filter || t.name.includes(filter));
try {
  for (const t of selected) {
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy|Refused to/.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
    });
    const started = Date.now();
    try {
      await t.run({ page, pages, fixture, mods, outDir });
      if (problems.length) throw new Error(problems.join('\n'));
      passed++;
      console.log(`  ✔ ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(
        `  ✘ ${t.name}\n    ${String(e?.stack ?? e)
          .split('\n')
          .slice(0, 6)
          .join('\n    ')}`,
      );
      await page.screenshot({ path: join(outDir, `FAILED-${t.name.replace(/\W+/g, '_')}.png`) }).catch(() => {});
    } finally {
      await page.close();
    }
  }
} finally {
  await closeBrowser();
}
if (passed + failed === 0) console.log('no webview tests ran');
console.log(`webview: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
