/**
 * The studio's server (sim/studio/server.ts) and command
 * (`deno task sim studio`): loopback only, a free port printed, the page,
 * what-if requests and trace downloads, and Ctrl-C stopping it.
 */

import assert from "node:assert/strict";
import { scenarios } from "../protocols/registry.ts";
import { replayTrace } from "../sim/explore/replay.ts";
import { messageSpans } from "../sim/render/messages.ts";
import { runScenario } from "../sim/scenario.ts";
import { serveStudio } from "../sim/studio/server.ts";
import { StudioSession } from "../sim/studio/session.ts";
import { loadTrace, saveTrace, traceFileFromResult } from "../sim/trace_file.ts";
import { cli } from "./_cli.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("the server: the page, what-if answers, trace files, and nothing for strangers", async (t) => {
  const session = new StudioSession({ scenario: scenarios.get("raft"), given: { seed: 1 } });
  const server = serveStudio(session);
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);

    await t.step("GET / is the run's page with the what-if panel", async () => {
      const page = await (await fetch(server.url)).text();
      assert.match(page, /<title>raft seed 1<\/title>/);
      assert.match(page, /<script type="application\/json" id="studio-config">\{"run":0,/);
      assert.match(page, /id="what-if"/);
    });

    const events = session.base.result.sim.trace.events;
    const m = messageSpans(events).find((s) => s.sendIndex > 100 && s.fate === "delivered")!;
    let run = -1;
    await t.step("POST /what-if runs the change and says where the runs part", async () => {
      const r = await fetch(new URL("what-if", server.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          run: 0,
          event: m.sendIndex,
          change: { kind: "drop", message: m.id },
        }),
      });
      assert.equal(r.status, 200);
      const answer = await r.json();
      assert.equal(answer.difference.index, m.sendIndex + 1);
      assert.match(answer.difference.text, /the runs part at event #/);
      assert.equal(answer.data.count, session.run(answer.run)!.result.sim.trace.count);
      assert.match(answer.change, new RegExp(`drop message #${m.id}`));
      run = answer.run;
    });

    await t.step("GET /?run=N is the what-if run's own page", async () => {
      const page = await (await fetch(new URL(`?run=${run}`, server.url))).text();
      assert.match(page, /what if of run 0: drop message/);
    });

    await t.step("GET /trace.json?run=N is a trace file that replays", async () => {
      const r = await fetch(new URL(`trace.json?run=${run}`, server.url));
      assert.match(r.headers.get("content-disposition")!, /attachment; filename="raft-seed1-run1/);
      const file = loadTrace(await r.text());
      assert.equal(replayTrace(scenarios.get("raft"), file).same, true);
    });

    await t.step("a change that cannot be made is a 400 with the reason", async () => {
      for (
        const [body, reason] of [
          [{ run: 0, event: 5, change: { kind: "drop", message: 999999 } }, /no message #999999/],
          [{ run: 0, event: 5, change: { kind: "teleport" } }, /kind must be drop, delay/],
          [{ run: 77, event: 5, change: { kind: "heal" } }, /there is no run 77/],
          [{ event: 5 }, /needs \{ run, event, change \}/],
        ] as const
      ) {
        const r = await fetch(new URL("what-if", server.url), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        assert.equal(r.status, 400);
        assert.match((await r.json()).error, reason);
      }
    });

    await t.step(
      "requests for another host, from another origin, or elsewhere are refused",
      async () => {
        // fetch sets Host itself: a name that resolves to 127.0.0.1 is written by hand.
        assert.match(await rawGet(server.port, "evil.example"), /^HTTP\/1\.1 403/);
        assert.match(await rawGet(server.port, `localhost:${server.port}`), /^HTTP\/1\.1 200/);
        const cross = await fetch(new URL("what-if", server.url), {
          method: "POST",
          headers: { "content-type": "application/json", origin: "http://evil.example" },
          body: "{}",
        });
        assert.equal(cross.status, 403);
        await cross.body?.cancel();
        const missing = await fetch(new URL("nothing", server.url));
        assert.equal(missing.status, 404);
        await missing.body?.cancel();
      },
    );
  } finally {
    await server.shutdown();
  }
});

/** The status line of a GET / sent to 127.0.0.1:port with this Host header. */
async function rawGet(port: number, host: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(
      new TextEncoder().encode(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
    );
    const buffer = new Uint8Array(64);
    const n = await conn.read(buffer);
    return new TextDecoder().decode(buffer.subarray(0, n ?? 0));
  } finally {
    conn.close();
  }
}

Deno.test("sim studio: run flags with a saved trace, and a bad port, are usage errors", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const file = `${dir}/run.json`;
    Deno.writeTextFileSync(
      file,
      saveTrace(traceFileFromResult(runScenario(scenarios.get("ping-pong"), { seed: 2 }))),
    );
    const flags = await cli(["studio", file, "--seed", "3"]);
    assert.equal(flags.code, 2);
    assert.match(flags.err.join("\n"), /run flags go with a scenario, not with a saved trace/);
    const port = await cli(["studio", "ping-pong", "--port", "99999"]);
    assert.equal(port.code, 2);
    assert.match(port.err.join("\n"), /--port: must be a whole number from 1 to 65535/);
    // A port another studio holds: one line naming --port, exit 2, not an internal error.
    const first = serveStudio(
      new StudioSession({ scenario: scenarios.get("ping-pong"), given: {} }),
    );
    try {
      const busy = await cli(["studio", "ping-pong", "--port", String(first.port)]);
      assert.equal(busy.code, 2, busy.err.join("\n"));
      assert.match(
        busy.err.join("\n"),
        new RegExp(
          `^error: --port: ${first.port} is in use on 127\\.0\\.0\\.1 \\(another studio\\?\\)`,
        ),
      );
    } finally {
      await first.shutdown();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** Starts `deno task sim studio <args>` as a process; returns its first line and the process. */
async function startStudio(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-net=127.0.0.1",
      new URL("main.ts", ROOT).pathname,
      "studio",
      ...args,
    ],
    cwd: ROOT.pathname,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const first = await Promise.race([
    lines.read(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("the studio printed nothing in 60 s")), 60_000);
    }),
  ]).finally(() => clearTimeout(timer));
  return { child, lines, first: first.value ?? "" };
}

Deno.test("deno task sim studio: serves on 127.0.0.1, prints where, stops on Ctrl-C", async () => {
  const dir = Deno.makeTempDirSync();
  const file = `${dir}/run.json`;
  Deno.writeTextFileSync(
    file,
    saveTrace(traceFileFromResult(runScenario(scenarios.get("ping-pong"), { seed: 2 }))),
  );
  for (const args of [["raft-figure8", "--unsafe-commit", "true"], [file]]) {
    const { child, lines, first } = await startStudio(args);
    try {
      const url = first.match(/studio: (http:\/\/127\.0\.0\.1:\d+\/)/)?.[1];
      assert.ok(url, first);
      assert.match(first, args[0] === file ? /ping-pong seed 2 \(saved trace\)/ : /FAILED/);
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /id="studio-config"/);
    } finally {
      child.kill("SIGINT");
      const status = await child.status;
      let rest = "";
      for (let r = await lines.read(); !r.done; r = await lines.read()) rest += r.value;
      await child.stderr.cancel();
      assert.equal(status.code, 0);
      assert.match(rest, /studio stopped/);
    }
  }
  Deno.removeSync(dir, { recursive: true });
});
