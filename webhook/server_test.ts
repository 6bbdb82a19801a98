import assert from "node:assert/strict";
import { twoVersionThing } from "./_test_util.ts";
import { deny, validatingWebhook } from "./admission.ts";
import { CertificateDirectory, staticCertificate } from "./certificates.ts";
import { generateWebhookCertificate } from "./self_managed.ts";
import { serveWebhooks } from "./server.ts";

const Thing = twoVersionThing("demo.operatorkit.io");

const hook = validatingWebhook(Thing, {
  validate: ({ request }) =>
    request.object!.spec.size > 10 ? deny("size above 10") : { allowed: true },
});

async function post(url: string, caCert: string, body: string) {
  using client = Deno.createHttpClient({ caCerts: [caCert] });
  const res = await fetch(url, { method: "POST", body, client });
  return { status: res.status, json: await res.json() };
}

const admission = (size: unknown) =>
  JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "u",
      kind: { group: "demo.operatorkit.io", version: "v1", kind: "Thing" },
      resource: { group: "demo.operatorkit.io", version: "v1", resource: "things" },
      operation: "CREATE",
      userInfo: {},
      object: {
        apiVersion: "demo.operatorkit.io/v1",
        kind: "Thing",
        metadata: { name: "a" },
        spec: { size },
      },
    },
  });

Deno.test("server: HTTPS admission and conversion; malformed bodies get a review; 404 and 405", async () => {
  const g = await generateWebhookCertificate({
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1"],
  });
  await using server = await serveWebhooks({
    hostname: "127.0.0.1",
    port: 0,
    certificate: staticCertificate(g),
    admission: [hook],
    conversion: [Thing],
  });
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const url = `${server.url}${hook.path}`;
  const denied = await post(url, g.caCert, admission(11));
  assert.equal(denied.status, 200);
  assert.equal(denied.json.response.status.message, "size above 10");
  assert.equal((await post(url, g.caCert, admission(3))).json.response.allowed, true);
  const garbage = await post(url, g.caCert, "{not json");
  assert.equal(garbage.status, 200);
  assert.equal(garbage.json.response.allowed, false);
  assert.match(garbage.json.response.status.message, /expected apiVersion admission.k8s.io\/v1/);

  const converted = await post(
    `${server.url}/convert`,
    g.caCert,
    JSON.stringify({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "ConversionReview",
      request: {
        uid: "c1",
        desiredAPIVersion: "demo.operatorkit.io/v1alpha1",
        objects: [{
          apiVersion: "demo.operatorkit.io/v1",
          kind: "Thing",
          metadata: { name: "a" },
          spec: { size: 4 },
        }],
      },
    }),
  );
  assert.deepEqual(converted.json.response, {
    uid: "c1",
    result: { status: "Success" },
    convertedObjects: [{
      apiVersion: "demo.operatorkit.io/v1alpha1",
      kind: "Thing",
      metadata: { name: "a" },
      spec: { size: "4" },
    }],
  });
  const bad = await post(`${server.url}/convert`, g.caCert, "[]");
  assert.equal(bad.json.response.result.status, "Failure");

  assert.equal((await post(`${server.url}/nope`, g.caCert, "{}")).status, 404);
  using client = Deno.createHttpClient({ caCerts: [g.caCert] });
  const get = await fetch(url, { client });
  await get.body?.cancel();
  assert.equal(get.status, 405);
  // Plain HTTP is not served.
  await assert.rejects(() =>
    fetch(`http://127.0.0.1:${server.port}${hook.path}`, { method: "POST", body: "{}" })
  );
});

Deno.test("server: a certificate directory change is served on the same port without restart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await generateWebhookCertificate({
      dnsNames: ["localhost"],
      ipAddresses: ["127.0.0.1"],
    });
    const second = await generateWebhookCertificate({
      dnsNames: ["localhost"],
      ipAddresses: ["127.0.0.1"],
    });
    await Deno.writeTextFile(`${dir}/tls.crt`, first.cert);
    await Deno.writeTextFile(`${dir}/tls.key`, first.key);
    // Polling is driven by hand (a long interval), so the test waits on nothing.
    using source = new CertificateDirectory(dir, { pollIntervalMs: 3_600_000 });
    await using server = await serveWebhooks({
      hostname: "127.0.0.1",
      port: 0,
      certificate: source,
      admission: [hook],
    });
    const url = `${server.url}${hook.path}`;
    assert.equal((await post(url, first.caCert, admission(1))).json.response.allowed, true);

    // A half-written pair (new cert, old key) is not loaded.
    await Deno.writeTextFile(`${dir}/tls.crt`, second.cert);
    await Deno.writeTextFile(`${dir}/tls.key`, "garbage");
    await source.poll();
    assert.equal(server.reloads, 0);

    await Deno.writeTextFile(`${dir}/tls.key`, second.key);
    const reloaded = new Promise<void>((resolve) => {
      const off = source.subscribe(() => {
        off();
        resolve();
      });
    });
    await source.poll();
    await reloaded;
    // The re-bind runs after the listeners are told; wait for it through the server.
    for (let i = 0; server.reloads === 0 && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(server.reloads, 1);
    assert.equal((await post(url, second.caCert, admission(1))).json.response.allowed, true);
    await assert.rejects(() => post(url, first.caCert, admission(1)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
