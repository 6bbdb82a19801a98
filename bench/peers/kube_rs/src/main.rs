//! kube-rs peer: a kube-runtime reflector (watcher + store) over ConfigMaps in one namespace,
//! reporting the figures bench/peers/harness.ts compares (see bench/peers/README.md).
//! Written for this benchmark from kube-rs's documentation.
use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::runtime::{reflector, watcher, watcher::Event};
use kube::{Api, Client, Config};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

/// The system allocator, counting live bytes so "heap" means the same as a GC'd heap after
/// collection: bytes still allocated.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = System.alloc(l);
        if !p.is_null() {
            LIVE.fetch_add(l.size(), Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l);
        LIVE.fetch_sub(l.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        let q = System.realloc(p, l, n);
        if !q.is_null() {
            LIVE.fetch_add(n, Relaxed);
            LIVE.fetch_sub(l.size(), Relaxed);
        }
        q
    }
}
#[global_allocator]
static ALLOC: Counting = Counting;

/// CPU time of the whole process (all threads), in milliseconds.
fn cpu_ms() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let t = |v: libc::timeval| v.tv_sec as f64 * 1000.0 + v.tv_usec as f64 / 1000.0;
    t(ru.ru_utime) + t(ru.ru_stime)
}

/// Resident set size in bytes, from /proc/self/status.
fn rss() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("expected the environment variable {name}"))
}

#[tokio::main]
async fn main() {
    let objects: usize = env("PEER_OBJECTS").parse().expect("PEER_OBJECTS is a number");
    let events: usize = env("PEER_EVENTS").parse().expect("PEER_EVENTS is a number");
    let namespace = env("PEER_NAMESPACE");
    let page: u32 = std::env::var("PEER_PAGE_SIZE").ok().and_then(|v| v.parse().ok()).unwrap_or(500);
    let kubeconfig = kube::config::Kubeconfig::read_from(env("PEER_KUBECONFIG")).expect("kubeconfig");
    let config = Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .expect("client config");
    let client = Client::try_from(config).expect("client");
    let api: Api<ConfigMap> = Api::namespaced(client, &namespace);
    let idle_rss = rss();

    let (reader, writer) = reflector::store::<ConfigMap>();
    // The watcher's defaults except the page size, which every peer sets alike.
    let cfg = watcher::Config::default().page_size(page);
    let mut stream = reflector(writer, watcher(api, cfg)).boxed();

    let t0 = Instant::now();
    let c0 = cpu_ms();
    let mut out = serde_json::Map::new();
    out.insert("idleRss".into(), idle_rss.into());
    let mut seen = 0usize;
    let mut synced = false;
    let (mut t1, mut c1) = (t0, c0);
    while let Some(ev) = stream.next().await {
        match ev.expect("watcher error") {
            Event::InitDone => {
                synced = true;
                t1 = Instant::now();
                c1 = cpu_ms();
                out.insert("syncWallMs".into(), ((t1 - t0).as_secs_f64() * 1000.0).into());
                out.insert("syncCpuMs".into(), (c1 - c0).into());
                out.insert("syncRss".into(), rss().into());
                out.insert("synced".into(), reader.state().len().into());
                // Tells the harness to let the watch events flow.
                println!("{{\"phase\":\"synced\"}}");
                if events == 0 {
                    break;
                }
            }
            Event::Apply(_) | Event::Delete(_) if synced => {
                seen += 1;
                if seen == events {
                    break;
                }
            }
            _ => {}
        }
    }
    if events > 0 {
        let t2 = Instant::now();
        out.insert("watchWallMs".into(), ((t2 - t1).as_secs_f64() * 1000.0).into());
        out.insert("watchCpuMs".into(), (cpu_ms() - c1).into());
    }
    out.insert("events".into(), seen.into());
    out.insert("endRss".into(), rss().into());
    // Checks: every object present once, each at the version the events end with
    // (the harness knows the expected sum of resourceVersions).
    let state = reader.state();
    let mut rv_sum: u64 = 0;
    for cm in state.iter() {
        rv_sum += cm.metadata.resource_version.as_deref().unwrap_or("0").parse::<u64>().unwrap_or(0);
    }
    out.insert("objects".into(), state.len().into());
    out.insert("rvSum".into(), rv_sum.to_string().into());
    drop(state);
    out.insert("heap".into(), LIVE.load(Relaxed).into());
    let _ = objects;
    println!("{}", serde_json::Value::Object(out));
    drop(stream);
}
