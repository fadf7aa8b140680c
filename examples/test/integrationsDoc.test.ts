import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

const here = new URL("..", import.meta.url).pathname;

// docs/integrations.md is built from the recipes: each line of its TypeScript snippets is a line
// of a recipe module, so the page cannot drift from the code the tests run.
it("every line of docs/integrations.md's snippets is a line of a tested recipe", () => {
  const doc = readFileSync(join(here, "../docs/integrations.md"), "utf8");
  const recipeLines = new Set(
    readdirSync(here)
      .filter((name) => name.endsWith(".ts") && !name.endsWith(".config.ts"))
      .flatMap((name) => readFileSync(join(here, name), "utf8").split("\n"))
      .map((line) => line.trim()),
  );
  const snippets = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string);
  expect(snippets.length).toBeGreaterThanOrEqual(6);
  for (const snippet of snippets) {
    for (const line of snippet.split("\n").map((text) => text.trim()).filter((text) => text !== "")) {
      expect(recipeLines.has(line), `docs/integrations.md: ${line}`).toBe(true);
    }
  }
});
