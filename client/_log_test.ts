import assert from "node:assert/strict";
import { configure, getLogger, type LogRecord, reset } from "@logtape/logtape";
import { _getLogger } from "./_log.ts";

const ROOT = Symbol.for("logtape.rootLogger");
const globals = globalThis as unknown as Record<symbol, unknown>;

Deno.test("an SDK logger drops records while no LogTape root exists, and reaches LogTape's sinks once the application configures it", async () => {
  const saved = globals[ROOT];
  delete globals[ROOT];
  try {
    const log = _getLogger(["operatorkit", "log-test"]);
    const scoped = log.with({ key: "default/a" }).getChild("child");
    // Nothing in the process has loaded LogTape's root: calls are dropped and create no root.
    log.info("dropped {n}", { n: 1 });
    scoped.warn("dropped too");
    assert.equal(globals[ROOT], undefined);
    assert.deepEqual(scoped.category, ["operatorkit", "log-test", "child"]);

    const records: LogRecord[] = [];
    await configure({
      sinks: { test: (r) => records.push(r) },
      loggers: [
        { category: ["operatorkit", "log-test"], lowestLevel: "info", sinks: ["test"] },
        { category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] },
      ],
      reset: true,
    });
    try {
      log.debug("below the level");
      log.info("hello {n}", { n: 2 });
      scoped.warning("from {key}");
      log.error`tagged ${3}`;
      assert.deepEqual(
        records.map((r) => [r.category, r.level, r.properties]),
        [
          [["operatorkit", "log-test"], "info", { n: 2 }],
          [["operatorkit", "log-test", "child"], "warning", { key: "default/a" }],
          [["operatorkit", "log-test"], "error", {}],
        ],
      );
      assert.deepEqual(records[2].message, ["tagged ", 3, ""]);
      // It is the logger LogTape's own getLogger hands out for that category.
      getLogger(["operatorkit", "log-test"]).info("direct");
      assert.equal(records.length, 4);
      assert.deepEqual(records[3].category, ["operatorkit", "log-test"]);
      assert.deepEqual(log.parent?.category, ["operatorkit"]);
    } finally {
      await reset();
    }
  } finally {
    if (saved === undefined) delete globals[ROOT];
    else globals[ROOT] = saved;
  }
});
