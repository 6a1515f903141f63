// The README's and the walkthrough's screenshots, made from the demo's own reports in headless
// Chromium: the reports run the same panel bundle as the VS Code webview (report mode), so the
// pictures show what the extension shows on the demo data, not a mock-up.
//
//   npm run demo                      # writes demo-output/{after,compare}.html
//   node scripts/screenshots.mjs [--demo demo-output] [--out media]
//
// Writes <out>/screenshot-inspect.png (the inspection of the fine-tuned demo checkpoint on the
// held-out classes, Classes tab open) and <out>/screenshot-compare.png (before vs after). Each is
// palette-quantised with sharp and must stay under 250 KB (the .vsix ships them; the README shows them).
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { launchBrowser } from '../test/webview/pages.mjs';

const MAX_BYTES = 250 * 1024;
const { values } = parseArgs({ options: { demo: { type: 'string', default: 'demo-output' }, out: { type: 'string', default: 'media' } } });
const demo = resolve(values.demo);
const out = resolve(values.out);
for (const f of ['after.html', 'compare.html']) {
  if (!existsSync(join(demo, f))) {
    console.error(`[screenshots] ${join(demo, f)} is missing: run \`npm run demo\` first (or pass --demo DIR)`);
    process.exit(1);
  }
}
mkdirSync(out, { recursive: true });

const shots = [
  {
    name: 'screenshot-inspect.png',
    page: 'after.html',
    // The map beside the per-class table: how tight each held-out class is after the fine-tune.
    async prepare(page) {
      await page
        .locator('[role=tab], .tab', { hasText: /^Classes$/i })
        .first()
        .click();
    },
  },
  { name: 'screenshot-compare.png', page: 'compare.html', async prepare() {} },
];

const { context, close } = await launchBrowser('lens-screenshots-');
let failed = false;
try {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  for (const shot of shots) {
    await page.goto(pathToFileURL(join(demo, shot.page)).href);
    // The map is drawn once its layout is in (the report carries PCA and UMAP); then the PCA → UMAP
    // animation runs for about a second. Screenshots are not assertions: a settle delay is fine here.
    await page.locator('canvas').first().waitFor({ state: 'visible', timeout: 30_000 });
    await shot.prepare(page);
    await page.waitForTimeout(2500);
    const raw = await page.screenshot({ type: 'png' });
    const target = join(out, shot.name);
    const tmp = `${target}.tmp-${process.pid}`;
    await sharp(raw).png({ palette: true, quality: 90, effort: 10, compressionLevel: 9 }).toFile(tmp);
    renameSync(tmp, target);
    const bytes = statSync(target).size;
    const ok = bytes < MAX_BYTES;
    failed ||= !ok;
    console.log(`[screenshots] ${target}: ${(bytes / 1024).toFixed(0)} KB${ok ? '' : ` — over the ${MAX_BYTES / 1024} KB limit`}`);
  }
} finally {
  await close();
}
process.exit(failed ? 1 : 0);
