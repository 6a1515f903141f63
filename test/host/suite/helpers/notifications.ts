// The workbench's notifications as the user sees them. The extension shows its errors with
// vscode.window.showErrorMessage; the messages live in the workbench page, which belongs to the
// runner's browser, so they are read over the bridge (op `notifications`).
import * as vscode from 'vscode';
import { notificationTexts } from './runner';
import { waitFor } from './wait';

/** Dismisses every notification, so the next wait sees only what comes after. */
export async function clearNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
}

/**
 * The messages of every notification there is. The notification center is opened first: toasts
 * hide after a while and at most a few show at once, the center lists them all.
 */
export async function allNotifications(): Promise<string[]> {
  await vscode.commands.executeCommand('notifications.showList');
  return notificationTexts();
}

/** Waits for a notification whose message satisfies `match` and returns its text. */
export async function waitForNotification(what: string, match: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  let seen: string[] = [];
  try {
    return await waitFor(
      what,
      async () => {
        seen = await allNotifications();
        return seen.find(match);
      },
      timeoutMs,
    );
  } catch (e) {
    throw new Error(
      `${(e as Error).message}; notifications shown: ${seen.length ? seen.map((s) => JSON.stringify(s)).join(', ') : '(none)'}`,
      { cause: e },
    );
  } finally {
    await vscode.commands.executeCommand('notifications.hideList');
  }
}
