/**
 * The fine-tune panel's HTML. Pure (no vscode import, no file access) so the browser tests build
 * the very page VS Code shows: the caller reads the css files and resolves the script's URI.
 *
 * CSP as for the inspection panel (panelHtml.ts): nothing by default, the script only by nonce,
 * styles by nonce or from the extension, no remote origins. The charts are SVG drawn from script,
 * so no img-src is needed.
 */

export interface TrainingHtmlOptions {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** webview.asWebviewUri(dist/training.js) as a string */
  scriptUri: string;
  /** media/panel.css (the shared theme variables) followed by media/training.css */
  css: string;
  title: string;
  /** Extra classes on <body> (tests: the standalone theme variables VS Code would inject). */
  bodyClass?: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function trainingHtml(o: TrainingHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(o.nonce)) throw new Error('trainingHtml: the nonce must be at least 16 base64/hex characters');
  const n = o.nonce;
  const csp = ["default-src 'none'", `style-src ${o.cspSource} 'nonce-${n}'`, `script-src 'nonce-${n}'`].join('; ');
  const bodyClass = ['lens-training', ...(o.bodyClass ? [o.bodyClass] : [])].join(' ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)}</title>
<style nonce="${n}">${o.css.replace(/<\/style/gi, '<\\/style')}</style>
</head>
<body class="${escapeHtml(bodyClass)}">
<script nonce="${n}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}
