// The controller-runtime peer of the controller benchmark (bench/peers/README.md): for every
// primary ConfigMap (label bench.operatorkit.dev/primary=true) in one namespace, add a finalizer
// (a merge patch guarded by resourceVersion) and server-side apply one child ConfigMap owned by
// it; the same logic as operatorkit_controller.ts. It reports when every primary has both, with
// the process CPU then. Written for this benchmark from controller-runtime's documentation.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

const (
	finalizer = "bench.operatorkit.dev/cleanup"
	primary   = "bench.operatorkit.dev/primary"
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
			kb, _ := strconv.ParseUint(strings.Fields(l)[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

type reconciler struct {
	client.Client
	mu     sync.Mutex
	done   map[string]bool
	want   int
	finish chan struct{}
	reconc int
}

func (r *reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	r.mu.Lock()
	r.reconc++
	r.mu.Unlock()
	var cm corev1.ConfigMap
	if err := r.Get(ctx, req.NamespacedName, &cm); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !cm.DeletionTimestamp.IsZero() {
		if controllerutil.ContainsFinalizer(&cm, finalizer) {
			patch := client.MergeFromWithOptions(cm.DeepCopy(), client.MergeFromWithOptimisticLock{})
			controllerutil.RemoveFinalizer(&cm, finalizer)
			return ctrl.Result{}, r.Patch(ctx, &cm, patch)
		}
		return ctrl.Result{}, nil
	}
	if !controllerutil.ContainsFinalizer(&cm, finalizer) {
		patch := client.MergeFromWithOptions(cm.DeepCopy(), client.MergeFromWithOptimisticLock{})
		controllerutil.AddFinalizer(&cm, finalizer)
		if err := r.Patch(ctx, &cm, patch); err != nil {
			return ctrl.Result{}, err
		}
	}
	child := corev1ac.ConfigMap(cm.Name+"-child", cm.Namespace).
		WithLabels(map[string]string{"bench.operatorkit.dev/child": "true"}).
		WithOwnerReferences(metav1ac.OwnerReference().
			WithAPIVersion("v1").WithKind("ConfigMap").WithName(cm.Name).WithUID(cm.UID).
			WithController(true)).
		WithData(map[string]string{"from": cm.Name})
	if err := r.Apply(ctx, child, client.FieldOwner("bench"), client.ForceOwnership); err != nil {
		return ctrl.Result{}, err
	}
	r.mu.Lock()
	if !r.done[req.String()] {
		r.done[req.String()] = true
		if len(r.done) == r.want {
			close(r.finish)
		}
	}
	r.mu.Unlock()
	return ctrl.Result{}, nil
}

func main() {
	objects, _ := strconv.Atoi(os.Getenv("PEER_OBJECTS"))
	concurrency, _ := strconv.Atoi(os.Getenv("PEER_CONCURRENCY"))
	namespace := os.Getenv("PEER_NAMESPACE")
	t0, c0 := time.Now(), cpuMs()
	cfg, err := clientcmd.BuildConfigFromFlags("", os.Getenv("PEER_KUBECONFIG"))
	if err != nil {
		panic(err)
	}
	// No client-side rate limit for either peer.
	cfg.QPS = 1e6
	cfg.Burst = 1e6
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Cache: cache.Options{
			DefaultNamespaces: map[string]cache.Config{namespace: {}},
			ByObject: map[client.Object]cache.ByObject{
				&corev1.ConfigMap{}: {Label: labels.SelectorFromSet(labels.Set{primary: "true"})},
			},
		},
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		panic(err)
	}
	r := &reconciler{Client: mgr.GetClient(), done: map[string]bool{}, want: objects, finish: make(chan struct{})}
	err = ctrl.NewControllerManagedBy(mgr).
		For(&corev1.ConfigMap{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: concurrency}).
		Complete(r)
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}()
	<-r.finish
	out := map[string]any{
		"quiescenceMs": float64(time.Since(t0).Microseconds()) / 1000,
		"cpuMs":        cpuMs() - c0,
		"rss":          rss(),
		"done":         objects,
	}
	r.mu.Lock()
	out["reconciles"] = r.reconc
	r.mu.Unlock()
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
	cancel()
}
