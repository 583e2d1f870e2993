#!/usr/bin/env bash
# Installs pinned Hyperledger Fabric and Fabric CA binaries into a project-local, git-ignored
# folder (default: <repo>/.fabric/bin, or $FABRIC_BIN), building them with `go install` from
# the Go module proxy. Binaries already present there are reused.
#
#   network/install-binaries.sh            # install what is missing
#   network/install-binaries.sh ca         # only fabric-ca-server and fabric-ca-client
#   FABRIC_BIN=/opt/fabric/bin network/install-binaries.sh
#
# Fabric's v2/v3 tags are not valid Go module versions, so Fabric is pinned by commit
# (v3.1.5 = 86c1172bec37e6590c6b1ae6f847833df48d65fc); Fabric CA by its module tag.
set -euo pipefail

FABRIC_VERSION=3.1.5
FABRIC_COMMIT=86c1172bec37e6590c6b1ae6f847833df48d65fc
FABRIC_CA_VERSION=v1.5.21

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${FABRIC_BIN:-$root/.fabric/bin}
mkdir -p "$bin"

fabric_tools=(peer orderer configtxgen configtxlator osnadmin cryptogen)
ccaas_tools=(detect build release)
ca_tools=(fabric-ca-server fabric-ca-client)
if [[ ${1:-} == ca ]]; then fabric_tools=(); ccaas_tools=(); ca_tools=(fabric-ca-server); fi

missing=()
for t in "${fabric_tools[@]}" "${ca_tools[@]}"; do [[ -x "$bin/$t" ]] || missing+=("$t"); done
for t in "${ccaas_tools[@]}"; do [[ -x "$bin/ccaas/$t" ]] || missing+=("ccaas/$t"); done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "fabric binaries: all present in $bin (Fabric $FABRIC_VERSION, Fabric CA $FABRIC_CA_VERSION)"
  exit 0
fi
command -v go >/dev/null || { echo "install-binaries: 'go' is not on PATH; install Go (apt-get install golang-go) or set FABRIC_BIN to a folder with the binaries" >&2; exit 1; }

echo "fabric binaries: building ${missing[*]} into $bin with $(go version | cut -d' ' -f3)"
export GOFLAGS=-mod=mod CGO_ENABLED=${CGO_ENABLED:-1}
start=$SECONDS
build() { # build <import path>@<version> <target dir>
  local t0=$SECONDS
  echo "  go install $1"
  GOBIN="$2" go install "$1"
  echo "    done in $((SECONDS - t0)) s"
}
for t in "${fabric_tools[@]}"; do
  [[ -x "$bin/$t" ]] || build "github.com/hyperledger/fabric/cmd/$t@$FABRIC_COMMIT" "$bin"
done
for t in "${ccaas_tools[@]}"; do
  if [[ ! -x "$bin/ccaas/$t" ]]; then
    mkdir -p "$bin/ccaas"
    build "github.com/hyperledger/fabric/ccaas_builder/cmd/$t@$FABRIC_COMMIT" "$bin/ccaas"
  fi
done
# `go install fabric-ca/cmd/...@v1.5.21` fails here: the proxy refuses the module's version list,
# which go install reads for deprecation notices. Download the module and build inside it instead
# (its go.mod has no replace directives, so this is the same build).
ca_missing=()
for t in "${ca_tools[@]}"; do [[ -x "$bin/$t" ]] || ca_missing+=("$t"); done
if [[ ${#ca_missing[@]} -gt 0 ]]; then
  scratch=$(mktemp -d)
  (cd "$scratch" && go mod init ft-ca-download >/dev/null 2>&1 && go mod download "github.com/hyperledger/fabric-ca@$FABRIC_CA_VERSION")
  rm -rf "$scratch"
  ca_src="$(go env GOMODCACHE)/github.com/hyperledger/fabric-ca@$FABRIC_CA_VERSION"
  for t in "${ca_missing[@]}"; do
    t0=$SECONDS
    echo "  go build github.com/hyperledger/fabric-ca/cmd/$t@$FABRIC_CA_VERSION"
    (cd "$ca_src" && go build -o "$bin/$t" "./cmd/$t")
    echo "    done in $((SECONDS - t0)) s"
  done
fi
echo "fabric binaries: ready in $bin after $((SECONDS - start)) s"
