import * as vscode from 'vscode';

/** Command id → handler module. Each user flow lives in its own file in this folder. */
export function registerCommands(context: vscode.ExtensionContext): void {
  const lazy =
    (load: () => Promise<{ run: (context: vscode.ExtensionContext, ...args: unknown[]) => unknown }>) =>
    async (...args: unknown[]) =>
      (await load()).run(context, ...args);
  context.subscriptions.push(
    vscode.commands.registerCommand(
      'embeddingLens.inspect',
      lazy(() => import('./inspect')),
    ),
    vscode.commands.registerCommand(
      'embeddingLens.fineTune',
      lazy(() => import('./fineTune')),
    ),
    vscode.commands.registerCommand(
      'embeddingLens.compare',
      lazy(() => import('./compare')),
    ),
    vscode.commands.registerCommand(
      'embeddingLens.exportReport',
      lazy(() => import('./exportReport')),
    ),
    vscode.commands.registerCommand(
      'embeddingLens.pytorchHelp',
      lazy(() => import('./pytorchHelp')),
    ),
    vscode.commands.registerCommand(
      'embeddingLens.enableGpu',
      lazy(() => import('../host/gpuCommand')),
    ),
    vscode.commands.registerCommand(
      'embeddingLens.openSample',
      lazy(() => import('./openSample')),
    ),
    vscode.commands.registerCommand(
      'embeddingLens.chooseOutput',
      lazy(() => import('./chooseOutput')),
    ),
  );
}
