// The client-go peer of the side-by-side informer benchmark (bench/peers/README.md): a shared
// informer over ConfigMaps in one namespace, JSON or protobuf, reporting the figures
// bench/peers/harness.ts compares. Written for this benchmark from client-go's documentation.
//
// `client_go proto-fixtures <in.json> <out.bin>` converts a JSON array of ConfigMaps to
// length-prefixed protobuf messages, so the replay server can serve protobuf.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

func cpuMs() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	t := func(v syscall.Timeval) float64 { return float64(v.Sec)*1000 + float64(v.Usec)/1000 }
	return t(ru.Utime) + t(ru.Stime)
}

func rss() uint64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func mustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		fmt.Fprintf(os.Stderr, "expected the environment variable %s\n", name)
		os.Exit(2)
	}
	return v
}

func protoFixtures(in, out string) {
	b, err := os.ReadFile(in)
	if err != nil {
		panic(err)
	}
	var items []corev1.ConfigMap
	if err := json.Unmarshal(b, &items); err != nil {
		panic(fmt.Errorf("expected a JSON array of ConfigMaps in %s: %w", in, err))
	}
	f, err := os.Create(out)
	if err != nil {
		panic(err)
	}
	w := bufio.NewWriter(f)
	var n [4]byte
	for i := range items {
		m, err := items[i].Marshal()
		if err != nil {
			panic(err)
		}
		binary.BigEndian.PutUint32(n[:], uint32(len(m)))
		w.Write(n[:])
		w.Write(m)
	}
	if err := w.Flush(); err != nil {
		panic(err)
	}
	f.Close()
}

func main() {
	if len(os.Args) == 4 && os.Args[1] == "proto-fixtures" {
		protoFixtures(os.Args[2], os.Args[3])
		return
	}
	objects, _ := strconv.Atoi(mustEnv("PEER_OBJECTS"))
	events, _ := strconv.Atoi(mustEnv("PEER_EVENTS"))
	namespace := mustEnv("PEER_NAMESPACE")
	cfg, err := clientcmd.BuildConfigFromFlags("", mustEnv("PEER_KUBECONFIG"))
	if err != nil {
		panic(err)
	}
	// No client-side rate limit for any peer.
	cfg.QPS = 1e6
	cfg.Burst = 1e6
	if os.Getenv("PEER_CONTENT_TYPE") == "protobuf" {
		cfg.ContentType = "application/vnd.kubernetes.protobuf"
		cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	} else {
		cfg.ContentType = "application/json"
		cfg.AcceptContentTypes = "application/json"
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(namespace))
	informer := factory.Core().V1().ConfigMaps().Informer()
	idleRss := rss()

	var adds, updates atomic.Int64
	synced := make(chan struct{})
	watched := make(chan struct{})
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) {
			if adds.Add(1) == int64(objects) {
				close(synced)
			}
		},
		UpdateFunc: func(_, _ interface{}) {
			if updates.Add(1) == int64(events) {
				close(watched)
			}
		},
	})
	out := map[string]any{"idleRss": idleRss}
	stop := make(chan struct{})
	t0, c0 := time.Now(), cpuMs()
	factory.Start(stop)
	if objects > 0 {
		<-synced
	}
	// The informer is synced when the handler has seen every object; HasSynced also holds by then.
	t1, c1 := time.Now(), cpuMs()
	out["syncWallMs"] = float64(t1.Sub(t0).Microseconds()) / 1000
	out["syncCpuMs"] = c1 - c0
	out["syncRss"] = rss()
	out["synced"] = len(informer.GetStore().ListKeys())
	// Tells the harness to let the watch events flow.
	fmt.Println(`{"phase":"synced"}`)
	if events > 0 {
		<-watched
		out["watchWallMs"] = float64(time.Since(t1).Microseconds()) / 1000
		out["watchCpuMs"] = cpuMs() - c1
	}
	out["endRss"] = rss()
	var sum uint64
	list := informer.GetStore().List()
	for _, o := range list {
		v, _ := strconv.ParseUint(o.(*corev1.ConfigMap).ResourceVersion, 10, 64)
		sum += v
	}
	out["events"] = updates.Load()
	out["objects"] = len(list)
	out["rvSum"] = strconv.FormatUint(sum, 10)
	list = nil
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	out["heap"] = ms.HeapAlloc
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
	close(stop)
	factory.Shutdown()
}
