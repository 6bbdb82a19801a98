#!/usr/bin/env bash
# Builds kube-apiserver and etcd from Go modules (the wrapper modules beside this script) into
# a cache directory outside the repository, rebuilding only what is missing:
#
#   ${OPERATORKIT_ENVTEST_CACHE:-$HOME/.cache/operatorkit/envtest}/<kube version>/{kube-apiserver,etcd}
#
# Usage: tools/envtest/build.sh [--print-dir]
#   --print-dir  print only the binary directory on stdout (progress goes to stderr)
# Exit status is non-zero when a build fails; a partial binary is never left behind.
# Builds run under `nice -n 19` (the machine is shared).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"

# The versions are read from the wrapper modules so that they are written down only once.
_required_version() { # <go.mod> <module path>: the version in its require directive
  awk -v mod="$2" '$1 !~ "^//" && !/=>/ { for (i = 1; i < NF; i++) if ($i == mod) { print $(i + 1); exit } }' "$1"
}
kube_version="$(_required_version "$here/apiserver/go.mod" k8s.io/kubernetes)"
etcd_version="$(_required_version "$here/etcd/go.mod" go.etcd.io/etcd/server/v3)"
if [[ -z "$kube_version" || -z "$etcd_version" ]]; then
  echo "build.sh: expected the k8s.io/kubernetes and go.etcd.io/etcd/server/v3 versions in the wrapper go.mod files, found '$kube_version' and '$etcd_version'" >&2
  exit 2
fi

cache_root="${OPERATORKIT_ENVTEST_CACHE:-$HOME/.cache/operatorkit/envtest}"
out_dir="$cache_root/$kube_version"
mkdir -p "$out_dir"

if [[ "${1:-}" == "--print-dir" ]]; then
  exec 3>&1 1>&2
else
  exec 3>&1
fi

_build() { # <module dir> <package> <output name> <ldflags>
  local module_dir="$1" pkg="$2" name="$3" ldflags="$4"
  local target="$out_dir/$name"
  if [[ -x "$target" ]]; then
    echo "build.sh: $target exists, not rebuilding"
    return 0
  fi
  local tmp="$target.partial.$$"
  trap 'rm -f "$tmp"' RETURN
  echo "build.sh: building $pkg into $target"
  local started=$SECONDS
  (cd "$module_dir" && nice -n 19 go build -trimpath -ldflags "$ldflags" -o "$tmp" "$pkg")
  mv -f "$tmp" "$target"
  echo "build.sh: built $name in $((SECONDS - started))s"
}

kube_major="${kube_version#v}"
kube_major="${kube_major%%.*}"
kube_minor="${kube_version#v*.}"
kube_minor="${kube_minor%%.*}"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
kube_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$kube_version"
  kube_ldflags+=" -X $pkg.gitMajor=$kube_major -X $pkg.gitMinor=$kube_minor"
  kube_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

etcd_ldflags="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=module-$etcd_version"

_build "$here/etcd" go.etcd.io/etcd/server/v3 etcd "$etcd_ldflags"
_build "$here/apiserver" k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver "$kube_ldflags"

echo "$out_dir" >&3
