// The runner side of the bridge between the host suite and the browser.
// The suite runs inside code-server's extension host (a Node process) and cannot see the workbench
// page; the page belongs to this runner (playwright). So the runner listens on 127.0.0.1 and the
// suite POSTs JSON to it: test events (printed live and counted) and UI requests that need the
// page — read a webview's DOM, take a screenshot, run a command through the command palette.
// See test/host/README.md for the request shapes; test/host/suite/helpers/runner.ts is the client.
import { createServer } from 'node:http';
import { join } from 'node:path';

const WEBVIEW_FRAME = '#active-frame';

function readBody(req) {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch (e) {
        reject(e);
      }
    });
    req.on('error', reject);
  });
}

/** The content frame of the visible webview (the last one when panels are split side by side). */
async function webviewFrame(page, index, timeoutMs) {
  const outer = page.locator('iframe.webview').filter({ visible: true });
  const pick = index === undefined ? outer.last() : outer.nth(index);
  await pick.waitFor({ state: 'attached', timeout: timeoutMs });
  return pick.contentFrame().frameLocator(WEBVIEW_FRAME);
}

function safeName(name) {
  if (typeof name !== 'string' || !/^[\w.-]{1,80}$/.test(name))
    throw new Error(`bad screenshot name ${JSON.stringify(name)} (letters, digits, . _ - only)`);
  return name;
}

/**
 * Starts the bridge. `onEvent(event)` receives suite events; `getPage()` resolves to the current page
 * (undefined before the browser is up). Returns { port, close() }.
 */
export async function startBridge({ onEvent, getPage, resultsDir }) {
  const ops = {
    async webviewText(page, { selector, index, timeoutMs = 30000 }) {
      const frame = await webviewFrame(page, index, timeoutMs);
      const el = frame.locator(selector).first();
      await el.waitFor({ state: 'attached', timeout: timeoutMs });
      return { text: await el.textContent({ timeout: timeoutMs }) };
    },
    async webviewCount(page, { selector, index, timeoutMs = 30000 }) {
      const frame = await webviewFrame(page, index, timeoutMs);
      return { count: await frame.locator(selector).count() };
    },
    async webviewWaitFor(page, { selector, index, state = 'visible', timeoutMs = 30000 }) {
      const frame = await webviewFrame(page, index, timeoutMs);
      await frame.locator(selector).first().waitFor({ state, timeout: timeoutMs });
      return {};
    },
    async webviewAttribute(page, { selector, name, index, timeoutMs = 30000 }) {
      const frame = await webviewFrame(page, index, timeoutMs);
      const el = frame.locator(selector).first();
      await el.waitFor({ state: 'attached', timeout: timeoutMs });
      return { value: await el.getAttribute(name, { timeout: timeoutMs }) };
    },
    /** Clicks an element of the visible webview as a user would (the real button, its real handler). */
    async webviewClick(page, { selector, index, timeoutMs = 30000 }) {
      const frame = await webviewFrame(page, index, timeoutMs);
      await frame.locator(selector).first().click({ timeout: timeoutMs });
      return {};
    },
    async webviewScreenshot(page, { selector = 'body', name, index, timeoutMs = 30000 }) {
      const frame = await webviewFrame(page, index, timeoutMs);
      const path = join(resultsDir, `${safeName(name)}.png`);
      await frame.locator(selector).first().screenshot({ path, timeout: timeoutMs });
      return { path };
    },
    async screenshot(page, { name }) {
      const path = join(resultsDir, `${safeName(name)}.png`);
      await page.screenshot({ path });
      return { path };
    },
    /**
     * The text of every notification the workbench shows: its toasts and, when open, the
     * notification center (the suite opens it with `notifications.showList` so none is missed).
     */
    async notifications(page) {
      return { messages: await page.locator('.notification-list-item-message').allTextContents() };
    },
    /** Runs a command the way a user does: F1, its title, Enter. */
    async palette(page, { title, timeoutMs = 10000 }) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: timeoutMs });
      await input.fill(`>${title}`);
      await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
      await page.keyboard.press('Enter');
      return {};
    },
    /**
     * Answers the open quick input (a quick pick, an input box, or code-server's simple file
     * dialog, which showOpenDialog uses in the browser): types `text`, then Enter unless accept is false.
     * `title`: first wait for the quick input showing that title, so an answer never lands in one
     * still closing (the previous pick of a flow) or opened by something else. `active`: before
     * Enter, wait until the focused row holds that text, so Enter accepts the item the typing
     * filtered to and not the row that was first before the filter applied. `row`: before Enter,
     * wait until some row holds that text (the simple file dialog has listed the folder typed).
     */
    async quickInput(page, { text, accept = true, timeoutMs = 30000, title, active, row }) {
      const widget = page.locator('.quick-input-widget');
      if (title) await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: timeoutMs });
      const input = widget.locator('input');
      await input.waitFor({ state: 'visible', timeout: timeoutMs });
      await input.fill(text);
      if (active)
        await widget
          .locator('.quick-input-list .monaco-list-row.focused', { hasText: active })
          .waitFor({ state: 'visible', timeout: timeoutMs });
      if (row)
        await widget
          .locator('.quick-input-list .monaco-list-row', { hasText: row })
          .first()
          .waitFor({ state: 'visible', timeout: timeoutMs });
      if (accept) await page.keyboard.press('Enter');
      return {};
    },
  };

  const server = createServer(async (req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const body = await readBody(req);
      if (req.method === 'POST' && req.url === '/event') {
        onEvent(body);
        return reply(200, {});
      }
      if (req.method === 'POST' && req.url === '/ui') {
        const op = ops[body.op];
        if (!op) return reply(400, { error: `unknown op ${JSON.stringify(body.op)}; known: ${Object.keys(ops).join(', ')}` });
        const page = await getPage();
        if (!page) return reply(503, { error: 'no workbench page yet' });
        return reply(200, await op(page, body));
      }
      reply(404, { error: `no route ${req.method} ${req.url}` });
    } catch (e) {
      reply(500, { error: e instanceof Error ? e.message : String(e) });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
