import * as vscode from 'vscode';
import { dirname, join } from 'node:path';
import { writeCompareReport } from '../core/compare';
import { writeReport } from '../core/report/writeReport';
import { ComparePanel } from '../host/comparePanel';
import { InspectionPanel } from '../host/inspectionPanel';
import { log } from '../host/log';
import { withEngineProgress } from '../host/progress';

/**
 * Writes the active panel as the same self-contained HTML report `embedding-lens inspect --out`
 * makes. `target` (tests, other commands) skips the save dialog. Returns the written path.
 */
export async function run(_context: vscode.ExtensionContext, target?: unknown): Promise<string | undefined> {
  const compare = activeComparison();
  if (compare) return exportComparison(compare, target);
  const panel = InspectionPanel.active();
  if (!panel) {
    void vscode.window.showWarningMessage('Embedding Lens: open an inspection or comparison panel first, then export it.');
    return undefined;
  }
  let file = target instanceof vscode.Uri ? target.fsPath : typeof target === 'string' ? target : undefined;
  if (!file) {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? dirname(panel.data.source.checkpoint);
    const picked = await vscode.window.showSaveDialog({
      title: 'Export Embedding Lens report',
      defaultUri: vscode.Uri.file(join(base, `${slug(panel.data.title)}.html`)),
      filters: { 'HTML report': ['html'] },
    });
    if (!picked) return undefined;
    file = picked.fsPath;
  }
  const kind = vscode.window.activeColorTheme.kind;
  const theme = kind === vscode.ColorThemeKind.Light || kind === vscode.ColorThemeKind.HighContrastLight ? 'light' : 'dark';
  const out = file;
  await withEngineProgress('Embedding Lens: writing the report', (signal, report) =>
    writeReport(out, panel.data, { theme, signal, onProgress: report }),
  );
  log.info(`Report written to ${out}`);
  if (!target) {
    void vscode.window.showInformationMessage(`Embedding Lens: report saved to ${out}`, 'Reveal').then((c) => {
      if (c) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(out));
    });
  }
  return out;
}

/**
 * The compare panel to export, when it is the one in front (or the only kind open); an inspection
 * panel in front keeps the original behaviour. A comparison still running has nothing to write yet.
 */
function activeComparison(): ComparePanel | undefined {
  const cmp = ComparePanel.active();
  if (!cmp?.data) return undefined;
  const insp = InspectionPanel.active();
  if (cmp.panel.active || !insp) return cmp;
  return insp.panel.active ? undefined : cmp;
}

async function exportComparison(panel: ComparePanel, target: unknown): Promise<string | undefined> {
  const data = panel.data!;
  let file = target instanceof vscode.Uri ? target.fsPath : typeof target === 'string' ? target : undefined;
  if (!file) {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? dirname(data.a.source.checkpoint);
    const picked = await vscode.window.showSaveDialog({
      title: 'Export Embedding Lens comparison report',
      defaultUri: vscode.Uri.file(join(base, `${slug(data.title)}.html`)),
      filters: { 'HTML report': ['html'] },
    });
    if (!picked) return undefined;
    file = picked.fsPath;
  }
  const kind = vscode.window.activeColorTheme.kind;
  const theme = kind === vscode.ColorThemeKind.Light || kind === vscode.ColorThemeKind.HighContrastLight ? 'light' : 'dark';
  const out = file;
  await withEngineProgress('Embedding Lens: writing the comparison report', (signal, report) =>
    writeCompareReport(out, data, { theme, signal, onProgress: report }),
  );
  log.info(`Comparison report written to ${out}`);
  if (!target) {
    void vscode.window.showInformationMessage(`Embedding Lens: comparison report saved to ${out}`, 'Reveal').then((c) => {
      if (c) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(out));
    });
  }
  return out;
}

function slug(s: string): string {
  return s.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'embedding-lens-report';
}
