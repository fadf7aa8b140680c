/**
 * Requests that race each other on one path of `serveDirectory`: a precondition and the change it
 * guards must hold together (create-only PUTs, If-Match PUTs, MOVE and COPY with Overwrite F),
 * and a deep COPY must not follow symlinks into itself. Every assertion counts answers and files;
 * nothing waits for a duration.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, serveTree, type Served } from "./serveFixture.js";

const RACERS = 8;

describe("serveDirectory: racing requests on one path", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveTree();
  });
  afterAll(() => served.close());

  it("of concurrent create-only PUTs (If-None-Match: *) of one new name, exactly one creates it (201); the rest get 412", async () => {
    for (let round = 0; round < 5; round++) {
      const name = `/created-${round}.txt`;
      const answers = await Promise.all(Array.from({ length: RACERS }, (_, i) => send(served.server.url, "PUT", name, { "if-none-match": "*" }, `writer ${i}\n`)));
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 412)).toHaveLength(RACERS - 1);
      const winner = statuses.indexOf(201);
      expect(readFileSync(join(served.root, name), "utf8")).toBe(`writer ${winner}\n`);
    }
    // No upload file is left beside them.
    expect(readdirSync(served.root).filter((name) => name.startsWith(".pktio-upload-"))).toEqual([]);
  });

  it("of concurrent PUTs with If-Match on one ETag, exactly one replaces the file (204); the rest get 412", async () => {
    writeFileSync(join(served.root, "shared.txt"), "version 0\n");
    const etag = (await send(served.server.url, "HEAD", "/shared.txt")).headers.etag as string;
    expect(etag).toBeTruthy();
    const answers = await Promise.all(Array.from({ length: RACERS }, (_, i) => send(served.server.url, "PUT", "/shared.txt", { "if-match": etag }, `version ${i + 1}\n`)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 204)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(RACERS - 1);
    expect(readFileSync(join(served.root, "shared.txt"), "utf8")).toBe(`version ${statuses.indexOf(204) + 1}\n`);
  });

  it("of concurrent MOVEs with Overwrite: F onto one new name, one moves (201); the others get 412 and keep their sources", async () => {
    mkdirSync(join(served.root, "moves"));
    for (let i = 0; i < RACERS; i++) writeFileSync(join(served.root, "moves", `source-${i}.txt`), `source ${i}\n`);
    const answers = await Promise.all(Array.from({ length: RACERS }, (_, i) => send(served.server.url, "MOVE", `/moves/source-${i}.txt`, { destination: "/moves/target.txt", overwrite: "F" })));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(RACERS - 1);
    const moved = statuses.indexOf(201);
    expect(readFileSync(join(served.root, "moves", "target.txt"), "utf8")).toBe(`source ${moved}\n`);
    for (let i = 0; i < RACERS; i++) expect(existsSync(join(served.root, "moves", `source-${i}.txt`)), `source-${i}`).toBe(i !== moved);
  });

  it("of concurrent COPYs with Overwrite: F onto one new name, one copies (201); the others get 412", async () => {
    mkdirSync(join(served.root, "copies"));
    for (let i = 0; i < RACERS; i++) writeFileSync(join(served.root, "copies", `source-${i}.txt`), `copy ${i}\n`);
    const answers = await Promise.all(Array.from({ length: RACERS }, (_, i) => send(served.server.url, "COPY", `/copies/source-${i}.txt`, { destination: "/copies/target.txt", overwrite: "F" })));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(RACERS - 1);
    expect(readFileSync(join(served.root, "copies", "target.txt"), "utf8")).toBe(`copy ${statuses.indexOf(201)}\n`);
  });

  it("a deep COPY does not follow symlinks among the members: links to the collection itself or its parent are left out", async () => {
    const tree = join(served.root, "loops");
    mkdirSync(tree);
    writeFileSync(join(tree, "file.txt"), "kept\n");
    symlinkSync(".", join(tree, "self-1"));
    symlinkSync(".", join(tree, "self-2"));
    symlinkSync("..", join(tree, "up"));
    symlinkSync("file.txt", join(tree, "file-link.txt"));
    const answer = await send(served.server.url, "COPY", "/loops/", { destination: "/loops-copy/" });
    expect(answer.status).toBe(201);
    expect(readdirSync(join(served.root, "loops-copy")).sort()).toEqual(["file.txt"]);
    expect(readFileSync(join(served.root, "loops-copy", "file.txt"), "utf8")).toBe("kept\n");
  });

  it("a COPY whose source or destination goes through a symlink is refused when it would copy a collection into itself or onto itself", async () => {
    const tree = join(served.root, "aliased");
    mkdirSync(tree);
    writeFileSync(join(tree, "file.txt"), "kept\n");
    symlinkSync("aliased", join(served.root, "alias"));
    symlinkSync("..", join(tree, "up"));
    // Into itself by the source's name (alias is aliased) or the destination's (alias/sub is aliased/sub).
    expect((await send(served.server.url, "COPY", "/alias/", { destination: "/aliased/sub/" })).status).toBe(409);
    expect((await send(served.server.url, "COPY", "/aliased/", { destination: "/alias/sub/" })).status).toBe(409);
    // The root reached through aliased/up, copied beneath itself.
    expect((await send(served.server.url, "COPY", "/aliased/up/", { destination: "/rooted/" })).status).toBe(409);
    expect(existsSync(join(tree, "sub"))).toBe(false);
    expect(existsSync(join(served.root, "rooted"))).toBe(false);
    // Onto itself: replacing the destination would delete the source first.
    expect((await send(served.server.url, "COPY", "/alias/", { destination: "/aliased/" })).status).toBe(403);
    expect((await send(served.server.url, "MOVE", "/alias", { destination: "/aliased/" })).status).toBe(403);
    expect(readFileSync(join(tree, "file.txt"), "utf8")).toBe("kept\n");
    expect(readdirSync(tree).sort()).toEqual(["file.txt", "up"]);
  });
});
