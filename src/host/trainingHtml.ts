/**
 * The fine-tune panel's HTML. Pure (no vscode import, no file access) so the browser tests build
 * the very page VS Code shows: the caller reads the css files and resolves the script's URI.
 *
 * The same page and CSP as every panel (core/report/panelHtml.ts webviewPage); the charts are SVG
 * drawn from script, so no images are allowed.
 */
import { webviewPage } from '../core/report/panelHtml';

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

export function trainingHtml(o: TrainingHtmlOptions): string {
  return webviewPage({ ...o, bodyClass: ['lens-training', ...(o.bodyClass ? [o.bodyClass] : [])].join(' ') });
}
