// Builds the standalone pages the browser tests and the bench open: the report-mode HTML from
// src/core/report/panelHtml.ts with fixture data inlined, and a panel-mode page whose VS Code API is a
// stub the test drives. TypeScript sources load through tsx.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tsImport } from 'tsx/esm/api';

export const root = new URL('../..', import.meta.url).pathname;

export function ensureBuilt() {
  const bundle = join(root, 'dist/webview.js');
  if (!existsSync(bundle)) {
    const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
    if (r.status !== 0 || !existsSync(bundle)) throw new Error('build failed: dist/webview.js is missing');
  }
  return bundle;
}

export async function loadModules() {
  const { panelHtml, makeNonce } = await tsImport(join(root, 'src/core/report/panelHtml.ts'), import.meta.url);
  // The messages' validators and the data model's codec (src/core/model/codec.ts: tsImport cannot
  // follow protocol.ts's export-star re-export), as one object.
  const protocol = {
    ...(await tsImport(join(root, 'src/protocol.ts'), import.meta.url)),
    ...(await tsImport(join(root, 'src/core/model/codec.ts'), import.meta.url)),
  };
  const { buildFixture } = await tsImport(join(root, 'test/webview/fixture.ts'), import.meta.url);
  return { panelHtml, makeNonce, protocol, buildFixture };
}

/** Writes a report-mode page for `data` and returns its file:// URL. */
export function writeReportPage(mods, data, dir, name, { theme = 'dark', renderer = 'auto' } = {}) {
  mkdirSync(dir, { recursive: true });
  const html = mods.panelHtml({
    mode: 'report',
    nonce: mods.makeNonce(),
    script: readFileSync(join(root, 'dist/webview.js'), 'utf8'),
    css: readFileSync(join(root, 'media/panel.css'), 'utf8'),
    data: mods.protocol.encodeInspection(data),
    title: data.title,
    theme,
    renderer,
  });
  const file = join(dir, name);
  writeFileSync(file, html);
  return `file://${file}`;
}

/** A panel-mode page (script by URI, as in VS Code) for the stubbed-host tests. */
export function writePanelPage(mods, dir, name) {
  mkdirSync(dir, { recursive: true });
  const html = mods
    .panelHtml({
      mode: 'panel',
      cspSource: 'file:',
      nonce: mods.makeNonce(),
      scriptUri: `file://${join(root, 'dist/webview.js')}`,
      css: readFileSync(join(root, 'media/panel.css'), 'utf8'),
    })
    // VS Code adds the theme class to <body>; standalone variables stand in for its injected ones.
    .replace('<body class="lens-panel">', '<body class="lens-panel lens-standalone vscode-dark">');
  const file = join(dir, name);
  writeFileSync(file, html);
  return `file://${file}`;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Debian's Chromium, headless, with a fresh profile (removed by `close()`), at the viewport the
 * tests' screenshots and the bench's frame times are taken at.
 */
export async function launchBrowser(profilePrefix) {
  const { chromium } = await import('playwright-core');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const userDataDir = mkdtempSync(join(tmpdir(), profilePrefix));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1360, height: 820 },
    deviceScaleFactor: 1,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
