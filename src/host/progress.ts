import * as vscode from 'vscode';
import type { Progress } from '../core/types';

/**
 * Runs engine work under a cancellable progress notification. The engine reports absolute
 * progress (done/total per stage); VS Code wants increments, so this converts, and resets the bar
 * when the stage changes. Cancel in the notification aborts the AbortSignal handed to `work`.
 */
export async function withEngineProgress<T>(
  title: string,
  work: (signal: AbortSignal, report: (p: Progress) => void) => Promise<T>,
): Promise<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      let stage = '';
      let shown = 0;
      const report = (p: Progress) => {
        if (p.stage !== stage) {
          stage = p.stage;
          shown = 0;
        }
        const pct = p.total > 0 ? Math.min(100, (100 * p.done) / p.total) : 0;
        const rate = p.rate !== undefined ? ` · ${p.rate >= 10 ? p.rate.toFixed(0) : p.rate.toFixed(1)}/s` : '';
        const eta = p.etaSeconds !== undefined && p.done < p.total ? ` · ${formatEta(p.etaSeconds)} left` : '';
        progress.report({
          message: `${p.stage}: ${p.done.toLocaleString()}/${p.total.toLocaleString()}${rate}${eta}${p.message ? ` · ${p.message}` : ''}`,
          increment: Math.max(0, pct - shown),
        });
        shown = Math.max(shown, pct);
      };
      try {
        return await work(controller.signal, report);
      } finally {
        sub.dispose();
      }
    },
  );
}

function formatEta(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.ceil(seconds - 60 * m)} s`;
}
