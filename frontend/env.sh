# Sourced by build.sh and test.sh: a nodeenv around the system Node, and node_modules kept in step
# with package-lock.json (node_modules/.lock-sha256 holds the lock's checksum from the last `npm ci`).
NODEENV_BIN="${NODEENV_BIN:-../.venv/bin/nodeenv}"
if [ ! -x .nodeenv/bin/node ]; then
  "$NODEENV_BIN" --node=system .nodeenv
fi
# shellcheck disable=SC1091
source .nodeenv/bin/activate

ensure_node_modules() {
  local lock_sum
  lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ ! -f node_modules/.lock-sha256 ] || [ "$(cat node_modules/.lock-sha256)" != "$lock_sum" ]; then
    npm ci --no-audit --no-fund
    echo "$lock_sum" > node_modules/.lock-sha256
  fi
}
