/**
 * Issue 15, part 1: `ctx.storage` on disk. What a node stored is there after
 * its process is killed and started again; a write torn by the kill is
 * dropped; the file is locked against a second process.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { DiskStorage, STORAGE_FILE } from "../runtime/disk_storage.ts";

function withDir(f: (dir: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "dsim-storage-" });
  try {
    f(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("disk storage: committed sets and deletes survive a reopen, in key order", () => {
  withDir((dir) => {
    const disk = DiskStorage.open(dir);
    disk.set("b", { term: 2, votedFor: "n1" });
    disk.set("a", [1, 2, 3]);
    disk.set("b", { term: 3, votedFor: null });
    disk.set("gone", "x");
    disk.delete("gone");
    assert.equal(disk.dirty, true);
    disk.commit();
    assert.equal(disk.dirty, false);
    assert.equal(disk.commits, 1);
    disk.close();
    const again = DiskStorage.open(dir);
    assert.deepEqual(again.keys(), ["b", "a"]);
    assert.deepEqual(again.get("b"), { term: 3, votedFor: null });
    assert.deepEqual(again.get("a"), [1, 2, 3]);
    assert.equal(again.get("gone"), undefined);
    again.close();
  });
});

Deno.test("disk storage: values are copies in and out", () => {
  withDir((dir) => {
    const disk = DiskStorage.open(dir);
    const log = [{ term: 1 }];
    disk.set("log", log);
    log.push({ term: 2 });
    const read = disk.get<{ term: number }[]>("log")!;
    assert.equal(read.length, 1);
    read.push({ term: 9 });
    assert.equal(disk.get<unknown[]>("log")!.length, 1);
    disk.close();
  });
});

Deno.test("disk storage: nothing reaches the file before the commit", () => {
  withDir((dir) => {
    const disk = DiskStorage.open(dir);
    disk.set("kept", 1);
    disk.commit();
    disk.set("pending", 2); // a kill now loses it; no effect of it has left the process
    const text = Deno.readTextFileSync(join(dir, STORAGE_FILE));
    assert.equal(text, '{"set":"kept","value":1}\n');
    assert.equal(disk.get("pending"), 2); // the handler itself sees its write at once
    disk.close();
  });
});

Deno.test("disk storage: a torn last line is dropped and cut off, earlier lines kept", () => {
  withDir((dir) => {
    const path = join(dir, STORAGE_FILE);
    Deno.writeTextFileSync(
      path,
      '{"set":"a","value":1}\n{"set":"b","value":2}\n{"set":"c","val',
    );
    const disk = DiskStorage.open(dir);
    assert.deepEqual(disk.keys(), ["a", "b"]);
    disk.set("d", 4);
    disk.close();
    assert.equal(
      Deno.readTextFileSync(path),
      '{"set":"a","value":1}\n{"set":"b","value":2}\n{"set":"d","value":4}\n',
    );
    const again = DiskStorage.open(dir);
    assert.deepEqual(again.keys(), ["a", "b", "d"]);
    again.close();
  });
});

Deno.test("disk storage: a bad line before the end is corruption, named by line", () => {
  withDir((dir) => {
    Deno.writeTextFileSync(
      join(dir, STORAGE_FILE),
      '{"set":"a","value":1}\nnot json\n{"set":"b","value":2}\n',
    );
    assert.throws(() => DiskStorage.open(dir), /corrupt at line 2/);
  });
});

Deno.test("disk storage: a second process cannot open the same directory", () => {
  withDir((dir) => {
    const disk = DiskStorage.open(dir);
    const other = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { DiskStorage } from ${
          JSON.stringify(new URL("../runtime/disk_storage.ts", import.meta.url).href)
        };
         try { DiskStorage.open(${JSON.stringify(dir)}); console.log("opened"); }
         catch (e) { console.log(e.message); }`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    assert.match(new TextDecoder().decode(other.stdout), /in use by another process/);
    disk.close();
  });
});

Deno.test("disk storage: only plain data goes to disk", () => {
  withDir((dir) => {
    const disk = DiskStorage.open(dir);
    assert.throws(() => disk.set("m", new Map()), /storage.set\("m"\): only plain data.*Map/);
    assert.throws(() => disk.set("n", { x: NaN }), /\.x is NaN/);
    disk.close();
  });
});

Deno.test("disk storage: compaction rewrites a long log to the live data", () => {
  withDir((dir) => {
    const disk = DiskStorage.open(dir);
    const big = "x".repeat(1000);
    for (let i = 0; i < 3000; i++) {
      disk.set("hot", `${i}${big}`); // one live key, written over and over
      if (i % 100 === 99) disk.commit();
    }
    disk.set("cold", 42);
    disk.close();
    const bytes = Deno.statSync(join(dir, STORAGE_FILE)).size;
    assert.ok(bytes < 1_500_000, `the log was not compacted: ${bytes} bytes`);
    const again = DiskStorage.open(dir);
    assert.equal(again.get<string>("hot")!.startsWith("2999x"), true);
    assert.equal(again.get("cold"), 42);
    again.close();
  });
});
