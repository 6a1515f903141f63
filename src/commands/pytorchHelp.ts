import * as vscode from 'vscode';
import { SIDECAR_EXAMPLE, TORCH_EXPORT_RECIPE } from '../core/checkpoint/sniff';

/**
 * Explorer → a .pt / .pth / .safetensors file: these cannot be run here, so say what to do instead —
 * the two-line ONNX export and the embedding-lens.json keys — with a button that copies the recipe.
 */
export async function run(_context: vscode.ExtensionContext, arg?: unknown): Promise<string> {
  const name = arg instanceof vscode.Uri ? vscode.workspace.asRelativePath(arg) : 'A PyTorch checkpoint';
  const recipe = TORCH_EXPORT_RECIPE.join('\n');
  // A notification shows one paragraph (no `detail`), so the recipe is inline and the button copies it.
  const message = `${name} is a PyTorch checkpoint; Embedding Lens runs ONNX and tfjs models. Export it to ONNX once, in Python with the model built and its weights loaded: ${TORCH_EXPORT_RECIPE.join('  ')}  Then right-click model.onnx → Inspect Embeddings. If the input is not 224 px ImageNet-normalised RGB, put embedding-lens.json beside it: ${SIDECAR_EXAMPLE}`;
  const copy = 'Copy Export Code';
  void vscode.window.showInformationMessage(message, copy).then(async (choice) => {
    if (choice === copy) await vscode.env.clipboard.writeText(`${recipe}\n`);
  });
  return message;
}
