// The /debug status page of the Website operator as a subprocess (--debug-bind-address), as
// JSON and in headless Chromium (Debian package `chromium`): leadership, the controller's
// queue with a key in backoff, the informers, the last reconciles, and the page refreshing
// itself. CI sets OPERATORKIT_REQUIRE_CHROMIUM=1 so the browser test cannot be skipped there.
// OPERATORKIT_UPDATE_SCREENSHOT=1 also writes the screenshot to docs/debug-page.png.
import assert from "node:assert/strict";
import { startApiServer } from "../../testing/api_server.ts";
import {
  api,
  createWebsite,
  eventually,
  httpGet,
  OperatorProcess,
  ROOT,
  tempKubeconfig,
  TEST_FLAGS,
} from "./_process.ts";
import type { DebugSnapshot } from "../../cli/debug_page.ts";
import { describeTrigger } from "../../controller/inspection.ts";

function findChromium(): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
      try {
        if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

const CHROMIUM = findChromium();
const REQUIRE_CHROMIUM = Deno.env.get("OPERATORKIT_REQUIRE_CHROMIUM") === "1";

/** The operator with the debug page, one Website reconciled and one stuck in backoff. */
async function withOperator(
  fn: (debugUrl: string, op: OperatorProcess) => Promise<void>,
): Promise<void> {
  await using server = await startApiServer();
  await using kubeconfig = await tempKubeconfig(server, "okt-debug-");
  await using op = new OperatorProcess("examples/website/main.ts", [
    ...TEST_FLAGS,
    "--kubeconfig",
    kubeconfig.path,
    "--namespace",
    "default",
    "--leader-elect",
    "--debug-bind-address",
    "127.0.0.1:0",
  ]);
  const line = await op.waitForLog(
    "the 'serving the debug page on' log line",
    (r) => r.message.startsWith("serving the debug page on"),
  );
  const debugUrl = line.properties.url as string;
  assert.match(debugUrl, /^http:\/\/127\.0\.0\.1:\d+\/debug$/);
  const probes = await op.probeUrl();
  await eventually("/readyz 200", async () => (await httpGet(`${probes}/readyz`)).status === 200);
  await createWebsite(server, "blog", { html: "<h1>blog</h1>" });
  // blog is done (its status written after all three children) before Service creates fail.
  await eventually("blog's Ready condition", async () => {
    const r = await api(
      server,
      "/apis/demo.operatorkit.io/v1alpha1/namespaces/default/websites/blog",
    );
    const conds = (r.body.status as { conditions?: Array<{ type: string }> } | undefined)
      ?.conditions ?? [];
    return conds.some((c) => c.type === "Ready");
  });
  // Every Service create fails from now on: the second Website stays in backoff.
  server.faults.failNext(1_000_000, { status: 500, verb: "create", resource: "services" });
  await createWebsite(server, "shop", { html: "<h1>shop</h1>" });
  await eventually("default/shop in backoff", async () => {
    const s = JSON.parse((await httpGet(`${debugUrl}.json`)).text) as DebugSnapshot;
    return s.controllers[0]?.queue.delayed.some((d) => d.key === "default/shop" && d.attempts >= 2);
  }, 30_000);
  await fn(debugUrl, op);
  op.kill("SIGTERM");
  assert.equal((await op.exited()).code, 0);
}

Deno.test("debug page: /debug.json shows leadership, queue and backoff, informers and the last reconciles", async () => {
  await withOperator(async (url) => {
    // A snapshot taken while default/shop waits for its backoff (between attempts it runs).
    let s: DebugSnapshot | undefined;
    await eventually("a snapshot with default/shop in backoff", async () => {
      const res = await httpGet(`${url}.json`);
      assert.equal(res.status, 200);
      s = JSON.parse(res.text) as DebugSnapshot;
      return s.controllers[0]?.queue.delayed.some((d) =>
        d.key === "default/shop" && d.attempts >= 3
      );
    }, 30_000);
    s = s!;
    assert.equal(s.operator, "website-operator");
    assert.equal(s.leadership.enabled, true);
    assert.equal(s.leadership.leader, true);
    assert.equal(s.leadership.holder, s.leadership.identity);
    assert.equal(s.leadership.lease, "default/website-operator-leader");
    assert.equal(s.controllers.length, 1);
    const c = s.controllers[0];
    assert.equal(c.name, "website-operator");
    assert.equal(c.state, "running");
    assert.equal(typeof c.queue.depth, "number");
    assert.equal(typeof c.queue.inFlight, "number");
    const shop = c.queue.delayed.find((d) => d.key === "default/shop")!;
    assert.equal(shop.reason, "backoff");
    assert.ok(shop.nextAttemptAt > s.now - 1000, JSON.stringify(shop));
    const websites = s.informers.find((i) => i.resource.startsWith("websites"))!;
    assert.equal(websites.synced, true);
    assert.equal(websites.cached, 2);
    assert.ok(websites.counters.relists >= 1);
    assert.ok(websites.lastEventAt! > 0);
    const blog = c.recent.find((r) => r.key === "default/blog" && r.acted.includes("configmap"))!;
    assert.equal(blog.outcome, "created");
    assert.equal(blog.trigger.type, "event");
    const failed = c.recent.find((r) => r.key === "default/shop" && r.outcome === "error")!;
    assert.match(failed.error ?? "", /service/);
    // Once the events of its creation are handled, every retry is the backoff's doing.
    const retries = c.recent.filter((r) => r.key === "default/shop" && r.attempt >= 3);
    assert.ok(retries.length > 0);
    for (const r of retries) assert.equal(describeTrigger(r.trigger), "backoff retry");
    // Only GET: the page changes nothing.
    const post = await fetch(`${url}.json`, { method: "POST" });
    await post.body?.cancel();
    assert.equal(post.status, 405);
    const page = await fetch(url);
    assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    assert.match(await page.text(), /default\/shop/);
  });
});

Deno.test({
  name: CHROMIUM
    ? "debug page in headless Chromium: rendered, refreshing itself, screenshot"
    : "debug page in headless Chromium (ignored: no chromium on PATH; apt-get install chromium)",
  ignore: !CHROMIUM && !REQUIRE_CHROMIUM,
  async fn() {
    assert.ok(
      CHROMIUM,
      "Expected chromium on PATH (OPERATORKIT_REQUIRE_CHROMIUM=1), found none",
    );
    await withOperator(async (url) => {
      const profile = await Deno.makeTempDir({ prefix: "okt-chromium-" });
      try {
        const chromium = (args: string[]) =>
          new Deno.Command(CHROMIUM!, {
            args: [
              "--headless",
              "--no-sandbox",
              "--disable-gpu",
              "--disable-quic",
              "--no-first-run",
              "--disable-background-networking",
              "--disable-component-update",
              "--disable-sync",
              "--disable-dev-shm-usage",
              `--user-data-dir=${profile}`,
              ...args,
            ],
            stdout: "piped",
            stderr: "piped",
            signal: AbortSignal.timeout(90_000),
          }).output();
        // The DOM after the page's script ran for 5 s of virtual time: it refreshed itself.
        const dom = await chromium(["--virtual-time-budget=5000", "--dump-dom", url]);
        const html = new TextDecoder().decode(dom.stdout);
        assert.ok(dom.success, new TextDecoder().decode(dom.stderr).slice(-2000));
        const refreshes = Number(/data-refreshes="(\d+)"/.exec(html)?.[1] ?? 0);
        assert.ok(
          refreshes >= 1,
          `Expected the page to refresh itself, found:\n${html.slice(0, 500)}`,
        );
        assert.match(html, /<span class="ok">leader<\/span>/);
        assert.match(html, /default\/shop/);
        assert.match(html, /backoff/);
        assert.match(html, /websites\.demo\.operatorkit\.io/);
        assert.match(html, /default\/blog/);

        const png = `${profile}/debug-page.png`;
        const shot = await chromium([
          "--hide-scrollbars",
          "--window-size=1280,1200",
          "--virtual-time-budget=2500",
          `--screenshot=${png}`,
          url,
        ]);
        assert.ok(shot.success, new TextDecoder().decode(shot.stderr).slice(-2000));
        const bytes = await Deno.readFile(png);
        assert.deepEqual([...bytes.slice(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "a PNG");
        assert.ok(bytes.length > 20_000, `a real screenshot, found ${bytes.length} bytes`);
        if (Deno.env.get("OPERATORKIT_UPDATE_SCREENSHOT") === "1") {
          await Deno.writeFile(`${ROOT}docs/debug-page.png`, bytes);
        }
      } finally {
        await Deno.remove(profile, { recursive: true });
      }
    });
  },
});
