/**
 * The panel's HTML, for a VS Code webview ('panel') or a self-contained report file ('report').
 * Pure: no vscode import, no file access — the caller reads media/panel.css and dist/webview.js.
 *
 * Both modes run the same bundle. The panel loads it by URI from the extension; the report inlines
 * it with the data (see encodeInspection) so the file opens anywhere with no network access.
 */

export type PanelHtmlOptions =
  | {
      mode: 'panel';
      /** webview.cspSource */
      cspSource: string;
      nonce: string;
      /** webview.asWebviewUri(dist/webview.js) as a string */
      scriptUri: string;
      /** Text of media/panel.css */
      css: string;
      title?: string;
      /** Which app the bundle starts before any message arrives (body data-view); the inspection when left out. */
      view?: 'compare';
    }
  | {
      mode: 'report';
      nonce: string;
      /** Text of dist/webview.js */
      script: string;
      css: string;
      /** encodeInspection(data) */
      data: string;
      title?: string;
      /** Report theme; 'auto' follows the viewer's system setting. */
      theme?: 'light' | 'dark' | 'auto';
      /** Force a renderer (tests and benches); default picks WebGL2 and falls back to canvas 2D. */
      renderer?: 'auto' | 'webgl2' | 'canvas2d';
      /** Which app the bundle starts (body data-view): a comparison says so; the inspection when left out. */
      view?: 'compare';
    };

/** A nonce for the CSP, from a CSPRNG (webcrypto exists in Node 20 and browsers). */
export function makeNonce(): string {
  const b = new Uint8Array(18);
  globalThis.crypto.getRandomValues(b);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Inline script text must not close its own element. */
function safeInlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Everything up to <body>: the CSP, the title and the stylesheet (which cannot close its own element). */
function pageHead(csp: string, title: string, nonce: string, css: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${css.replace(/<\/style/gi, '<\\/style')}</style>
</head>`;
}

function checkNonce(nonce: string): void {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error('panelHtml: the nonce must be at least 16 base64/hex characters');
}

/** A VS Code webview page that loads one script bundle by URI; every panel (inspection, comparison, fine-tune) is one. */
export interface WebviewPageOptions {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** webview.asWebviewUri(the bundle) as a string */
  scriptUri: string;
  /** The page's stylesheet text (media/*.css). */
  css: string;
  title?: string;
  bodyClass: string;
  /** The body's data-view: which app of the bundle to start. */
  view?: string;
  /** Whether images may load (thumbnails: the extension's files, data: and blob: URIs). */
  images?: boolean;
}

/**
 * The one page builder of the webviews, so every panel gets the same Content-Security-Policy:
 * nothing by default, the script only by nonce, styles by nonce or from the extension, images only
 * where the panel shows them, no remote origins.
 */
export function webviewPage(o: WebviewPageOptions): string {
  checkNonce(o.nonce);
  const n = o.nonce;
  const csp = [
    "default-src 'none'",
    ...(o.images ? [`img-src ${o.cspSource} data: blob:`] : []),
    `style-src ${o.cspSource} 'nonce-${n}'`,
    `script-src 'nonce-${n}'`,
  ].join('; ');
  return `${pageHead(csp, o.title ?? 'Embedding Lens', n, o.css)}
<body class="${escapeHtml(o.bodyClass)}"${o.view ? ` data-view="${escapeHtml(o.view)}"` : ''}>
<script nonce="${n}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}

/** A page of text only (a panel that cannot be restored says why): no script at all, same CSP rules. */
export function messagePage(title: string, text: string): string {
  const n = makeNonce();
  const csp = ["default-src 'none'", `style-src 'nonce-${n}'`].join('; ');
  return `${pageHead(csp, title, n, 'body { font-family: var(--vscode-font-family); padding: 1em; }')}
<body><p>${escapeHtml(text)}</p></body>
</html>`;
}

export function panelHtml(o: PanelHtmlOptions): string {
  checkNonce(o.nonce);
  const n = o.nonce;
  if (o.mode === 'panel') return webviewPage({ ...o, bodyClass: 'lens-panel', images: true });
  // No remote origins at all: images are data: URIs inside the data, exports are blob: downloads.
  const csp = ["default-src 'none'", 'img-src data: blob:', `style-src 'nonce-${n}'`, `script-src 'nonce-${n}'`].join('; ');
  const theme = o.theme ?? 'auto';
  const renderer = o.renderer && o.renderer !== 'auto' ? ` data-renderer="${o.renderer}"` : '';
  // 'auto' picks the theme before first paint from prefers-color-scheme.
  const themeScript =
    theme === 'auto'
      ? `<script nonce="${n}">document.body.classList.add(matchMedia('(prefers-color-scheme: light)').matches ? 'vscode-light' : 'vscode-dark');</script>`
      : '';
  const bodyClass = theme === 'auto' ? 'lens-standalone' : `lens-standalone vscode-${theme}`;
  return `${pageHead(csp, o.title ?? 'Embedding Lens', n, o.css)}
<body class="${bodyClass}"${renderer}${o.view ? ` data-view="${o.view}"` : ''}>
${themeScript}
<script type="application/json" id="lens-data">${o.data}</script>
<script nonce="${n}">${safeInlineScript(o.script)}</script>
</body>
</html>`;
}
