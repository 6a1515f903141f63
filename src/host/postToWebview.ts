import type * as vscode from 'vscode';

/**
 * Posts a message to a panel's webview unless the panel is gone. A panel the user closes while a
 * run is still reporting makes postMessage reject ("Webview is disposed") before onDidDispose has
 * reached the panel object; posted with `void`, that rejection surfaced as an unhandled error in the
 * extension host. Resolves true when the message was delivered.
 */
export async function postToWebview(panel: vscode.WebviewPanel, isDisposed: () => boolean, msg: unknown): Promise<boolean> {
  if (isDisposed()) return false;
  try {
    return await panel.webview.postMessage(msg);
  } catch {
    return false;
  }
}
