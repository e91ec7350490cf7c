/**
 * Headless Chromium for the browser tests, and the project's policy about
 * it. Chromium is Debian's, at /usr/bin/chromium (`.ci/run` installs it;
 * nothing here downloads a browser). When it is missing, browser tests are
 * skipped, with one line saying how to run them, unless
 * `DSIM_REQUIRE_BROWSER=1` is set: then a missing browser fails them (CI
 * sets it).
 *
 * The browser is driven over the DevTools protocol, from Deno directly: a
 * WebSocket and a few commands (navigate, evaluate, key presses,
 * screenshots). Every wait is bounded, and the browser is killed and its
 * profile removed in `finally`, whatever happened.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Where the browser tests look for Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** The one line printed when the browser tests are skipped. */
export const SKIP_LINE = `browser tests skipped: ${CHROMIUM} is missing; to run them, install ` +
  "Debian's chromium (apt-get install -y chromium), or set DSIM_REQUIRE_BROWSER=1 to fail without it";

function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/**
 * Whether browser tests are ignored here: Chromium is missing and
 * `DSIM_REQUIRE_BROWSER=1` is not set. Says so once per process.
 */
export function skipBrowserTests(): boolean {
  if (hasChromium() || Deno.env.get("DSIM_REQUIRE_BROWSER") === "1") return false;
  const flag = Symbol.for("dsim.browser-skip-said");
  const g = globalThis as Record<symbol, boolean>;
  if (!g[flag]) {
    g[flag] = true;
    console.log(SKIP_LINE);
  }
  return true;
}

/** Chromium's flags: headless, nothing fetched from the network, a fresh profile. */
function chromiumArgs(profile: string): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1400,900",
    `--user-data-dir=${profile}`,
    "--remote-debugging-port=0",
    "about:blank",
  ];
}

/** Rejects after `ms` with `what` in the message; the timer is always cleared. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type Message = {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  sessionId?: string;
};

/** A DevTools protocol connection: commands by id, events to listeners. */
class Connection {
  #ws: WebSocket;
  #next = 1;
  #pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  #listeners: Array<(m: Message) => void> = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (ev) => {
      const m = JSON.parse(String(ev.data)) as Message & {
        result?: unknown;
        error?: { message: string };
      };
      if (m.id !== undefined) {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error) p?.reject(new Error(`DevTools: ${m.error.message}`));
        else p?.resolve(m.result);
        return;
      }
      for (const l of this.#listeners) l(m);
    };
    ws.onclose = () => {
      for (const p of this.#pending.values()) p.reject(new Error("DevTools connection closed"));
      this.#pending.clear();
    };
  }

  static async open(url: string): Promise<Connection> {
    const ws = new WebSocket(url);
    await within(
      10_000,
      "connecting to Chromium",
      new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error("cannot connect to Chromium's DevTools"));
      }),
    );
    return new Connection(ws);
  }

  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
    timeoutMs = 30_000,
  ): Promise<T> {
    const id = this.#next++;
    const reply = new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
    });
    this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return within(timeoutMs, method, reply);
  }

  on(listener: (m: Message) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.#ws.addEventListener("close", resolve));
    this.#ws.close();
    await within(5_000, "closing the DevTools connection", closed).catch(() => {});
  }
}

/** Key codes for the keys the tests press. */
const KEYS: Record<string, { code: string; keyCode: number; text?: string }> = {
  ArrowRight: { code: "ArrowRight", keyCode: 39 },
  ArrowLeft: { code: "ArrowLeft", keyCode: 37 },
  ArrowDown: { code: "ArrowDown", keyCode: 40 },
  ArrowUp: { code: "ArrowUp", keyCode: 38 },
  Home: { code: "Home", keyCode: 36 },
  End: { code: "End", keyCode: 35 },
  "]": { code: "BracketRight", keyCode: 221, text: "]" },
  "[": { code: "BracketLeft", keyCode: 219, text: "[" },
  v: { code: "KeyV", keyCode: 86, text: "v" },
  j: { code: "KeyJ", keyCode: 74, text: "j" },
  k: { code: "KeyK", keyCode: 75, text: "k" },
};

/** One tab of the browser. */
export class Page {
  /** Script errors and console errors the page reported. */
  readonly errors: string[] = [];

  constructor(readonly connection: Connection, readonly session: string) {
    connection.on((m) => {
      if (m.sessionId !== session) return;
      if (m.method === "Runtime.exceptionThrown") {
        const d =
          (m.params as { exceptionDetails: { text: string; exception?: { description?: string } } })
            .exceptionDetails;
        this.errors.push(d.exception?.description ?? d.text);
      } else if (m.method === "Runtime.consoleAPICalled") {
        const p = m.params as {
          type: string;
          args: Array<{ value?: unknown; description?: string }>;
        };
        if (p.type === "error") {
          this.errors.push(p.args.map((a) => String(a.value ?? a.description)).join(" "));
        }
      }
    });
  }

  #send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}) {
    return this.connection.send<T>(method, params, this.session);
  }

  /** Loads `url` and waits (at most `timeoutMs`) until its body says `data-ready="true"`. */
  async goto(url: string, timeoutMs = 60_000): Promise<void> {
    // Only a change of the address's #fragment would not load the page again.
    if (url.includes("#")) await this.#load("about:blank", timeoutMs);
    await this.#load(url, timeoutMs);
    await this.waitFor(`document.body && document.body.dataset.ready === "true"`, timeoutMs);
  }

  async #load(url: string, timeoutMs: number): Promise<void> {
    let off = () => {};
    const loaded = new Promise<void>((resolve) => {
      off = this.connection.on((m) => {
        if (m.sessionId === this.session && m.method === "Page.loadEventFired") resolve();
      });
    });
    try {
      await this.#send("Page.navigate", { url });
      await within(timeoutMs, `loading ${url}`, loaded);
    } finally {
      off();
    }
  }

  /** The value of a JavaScript expression in the page (awaited when it is a promise). */
  async eval<T = unknown>(expression: string, timeoutMs = 30_000): Promise<T> {
    const r = await this.connection.send<{
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    }>(
      "Runtime.evaluate",
      { expression, awaitPromise: true, returnByValue: true },
      this.session,
      timeoutMs + 5_000,
    );
    if (r.exceptionDetails) {
      throw new Error(
        `in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`,
      );
    }
    return r.result.value as T;
  }

  /** Waits (at most `timeoutMs`, polling in the page) until `expression` is truthy; returns it. */
  waitFor<T = unknown>(expression: string, timeoutMs = 30_000): Promise<T> {
    return this.eval<T>(
      `new Promise(function (resolve, reject) {
        var t0 = performance.now();
        (function poll() {
          var v;
          try { v = (${expression}); } catch (e) { v = undefined; }
          if (v) return resolve(v);
          if (performance.now() - t0 > ${timeoutMs}) {
            return reject(new Error("timed out after ${timeoutMs} ms waiting for: " +
              ${JSON.stringify(expression)}));
          }
          setTimeout(poll, 20);
        })();
      })`,
      timeoutMs,
    );
  }

  /** Presses and releases a key (see KEYS), with Shift when asked. */
  async key(key: string, options: { shift?: boolean } = {}): Promise<void> {
    const k = KEYS[key];
    assert.ok(k, `no key code for ${key}`);
    const common = {
      key,
      code: k.code,
      windowsVirtualKeyCode: k.keyCode,
      nativeVirtualKeyCode: k.keyCode,
      modifiers: options.shift ? 8 : 0,
    };
    await this.#send("Input.dispatchKeyEvent", {
      type: k.text === undefined ? "rawKeyDown" : "keyDown",
      ...common,
      ...(k.text === undefined ? {} : { text: k.text }),
    });
    await this.#send("Input.dispatchKeyEvent", { type: "keyUp", ...common });
  }

  /** Clicks the first element matching `selector` (it must exist). */
  async click(selector: string): Promise<void> {
    const found = await this.eval<boolean>(
      `(function () { var e = document.querySelector(${JSON.stringify(selector)});
        if (!e) return false;
        e.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true }));
        return true; })()`,
    );
    assert.ok(found, `no element matches ${selector}`);
  }

  /** The text of the first element matching `selector` ("" when none does). */
  text(selector: string): Promise<string> {
    return this.eval<string>(
      `(function () { var e = document.querySelector(${JSON.stringify(selector)});
        return e ? e.textContent : ""; })()`,
    );
  }

  /** Sets the size of the page's window (CSS pixels). */
  async resize(width: number, height: number): Promise<void> {
    await this.#send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
  }

  /** A PNG of the visible part of the page. */
  async screenshot(): Promise<Uint8Array> {
    const r = await this.#send<{ data: string }>("Page.captureScreenshot", { format: "png" });
    return Uint8Array.from(atob(r.data), (c) => c.charCodeAt(0));
  }
}

/** A running headless Chromium. */
export interface Browser {
  /** Opens a new tab. */
  newPage(): Promise<Page>;
}

/**
 * Starts Chromium, hands it to `work`, and always stops it and removes its
 * profile afterwards. Fails when Chromium is missing.
 */
export async function withBrowser<T>(work: (browser: Browser) => Promise<T>): Promise<T> {
  assert.ok(
    hasChromium(),
    `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`,
  );
  const profile = Deno.makeTempDirSync({ prefix: "dsim-chromium-" });
  const child = new Deno.Command(CHROMIUM, {
    args: chromiumArgs(profile),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let connection: Connection | undefined;
  const log: string[] = [];
  // Chromium says where its DevTools listen on stderr; the rest of stderr is drained (and kept
  // for a failure's message) so that the pipe never fills.
  let announce: (url: string) => void = () => {};
  const endpoint = new Promise<string>((resolve) => announce = resolve);
  const drained = (async () => {
    const lines = child.stderr.pipeThrough(new TextDecoderStream());
    let buffer = "";
    for await (const chunk of lines) {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        log.push(line);
        if (log.length > 50) log.shift();
        const m = line.match(/DevTools listening on (ws:\/\/\S+)/);
        if (m) announce(m[1]);
      }
    }
  })();
  try {
    const url = await within(30_000, "Chromium announcing its DevTools endpoint", endpoint)
      .catch((e) => {
        throw new Error(`${(e as Error).message}\n${log.join("\n")}`);
      });
    const conn = connection = await Connection.open(url);
    const browser: Browser = {
      async newPage() {
        const { targetId } = await conn.send<{ targetId: string }>("Target.createTarget", {
          url: "about:blank",
        });
        const { sessionId } = await conn.send<{ sessionId: string }>("Target.attachToTarget", {
          targetId,
          flatten: true,
        });
        const page = new Page(conn, sessionId);
        await conn.send("Page.enable", {}, sessionId);
        await conn.send("Runtime.enable", {}, sessionId);
        return page;
      },
    };
    return await work(browser);
  } finally {
    if (connection !== undefined) {
      await connection.send("Browser.close", {}, undefined, 5_000).catch(() => {});
      await connection.close();
    }
    try {
      child.kill("SIGKILL");
    } catch {
      // It had exited already.
    }
    await within(10_000, "Chromium exiting", child.status).catch(() => {});
    await within(10_000, "Chromium's stderr closing", drained).catch(() => {});
    Deno.removeSync(profile, { recursive: true });
  }
}

/**
 * What the state panel must show of a state: every top-level field with a
 * plain value, as `"key": value` (objects may be folded or spread over lines).
 */
export function plainFields(state: unknown): string[] {
  return Object.entries(state as Record<string, unknown>).flatMap(([k, v]) =>
    v === null || typeof v !== "object" ? [`${JSON.stringify(k)}: ${JSON.stringify(v)}`] : []
  );
}
