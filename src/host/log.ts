import * as vscode from 'vscode';

/**
 * The "Embedding Lens" output channel: what ran (backend, timings, skipped files, assumptions).
 * Created lazily so importing this module has no side effects at load time.
 */
class Log {
  private channel: vscode.LogOutputChannel | undefined;
  private get out(): vscode.LogOutputChannel {
    this.channel ??= vscode.window.createOutputChannel('Embedding Lens', { log: true });
    return this.channel;
  }
  info(msg: string): void {
    this.out.info(msg);
  }
  warn(msg: string): void {
    this.out.warn(msg);
  }
  error(msg: string, err?: unknown): void {
    this.out.error(err instanceof Error ? `${msg}: ${err.stack ?? err.message}` : msg);
  }
  show(): void {
    this.out.show(true);
  }
  dispose(): void {
    this.channel?.dispose();
    this.channel = undefined;
  }
}

export const log = new Log();
