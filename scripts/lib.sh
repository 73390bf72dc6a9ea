# Shared by the scripts: paths, logging, and the versions read from Cargo.lock so that the tools
# always match the crates (worker-build must match `worker`, wasm-bindgen's CLI `wasm-bindgen`).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
# wrangler offline: no metrics, no fetch of the request.cf placeholder from the internet.
export WRANGLER_SEND_METRICS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The version of a crate in Cargo.lock.
locked_version() {
  awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# Runs a command as root (apt-get), with sudo when we are not root.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
