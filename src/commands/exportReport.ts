import * as vscode from 'vscode';
import { dirname, join } from 'node:path';
import { writeCompareReport } from '../core/compare';
import { writeReport } from '../core/report/writeReport';
import type { ProgressFn } from '../core/types';
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
  if (compare) {
    const data = compare.data!;
    return exportHtml(target, {
      what: 'comparison report',
      title: data.title,
      besideCheckpoint: data.a.source.checkpoint,
      write: (out, opts) => writeCompareReport(out, data, opts),
    });
  }
  const panel = InspectionPanel.active();
  if (!panel) {
    void vscode.window.showWarningMessage('Embedding Lens: open an inspection or comparison panel first, then export it.');
    return undefined;
  }
  return exportHtml(target, {
    what: 'report',
    title: panel.data.title,
    besideCheckpoint: panel.data.source.checkpoint,
    write: (out, opts) => writeReport(out, panel.data, opts),
  });
}

interface ExportJob {
  /** "report" or "comparison report", in the dialog, progress, log and notification. */
  what: string;
  /** Names the default file. */
  title: string;
  /** Where the dialog opens when no folder is open. */
  besideCheckpoint: string;
  write(out: string, opts: { theme: 'light' | 'dark'; signal: AbortSignal; onProgress: ProgressFn }): Promise<unknown>;
}

/** The save dialog (unless `target` names the file), the write under progress, and the notices. */
async function exportHtml(target: unknown, job: ExportJob): Promise<string | undefined> {
  let file = target instanceof vscode.Uri ? target.fsPath : typeof target === 'string' ? target : undefined;
  if (!file) {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? dirname(job.besideCheckpoint);
    const picked = await vscode.window.showSaveDialog({
      title: `Export Embedding Lens ${job.what}`,
      defaultUri: vscode.Uri.file(join(base, `${slug(job.title)}.html`)),
      filters: { 'HTML report': ['html'] },
    });
    if (!picked) return undefined;
    file = picked.fsPath;
  }
  const kind = vscode.window.activeColorTheme.kind;
  const theme = kind === vscode.ColorThemeKind.Light || kind === vscode.ColorThemeKind.HighContrastLight ? 'light' : 'dark';
  const out = file;
  await withEngineProgress(`Embedding Lens: writing the ${job.what}`, (signal, report) =>
    job.write(out, { theme, signal, onProgress: report }),
  );
  const done = job.what.charAt(0).toUpperCase() + job.what.slice(1);
  log.info(`${done} written to ${out}`);
  if (!target) {
    void vscode.window.showInformationMessage(`Embedding Lens: ${job.what} saved to ${out}`, 'Reveal').then((c) => {
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

function slug(s: string): string {
  return (
    s
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'embedding-lens-report'
  );
}
