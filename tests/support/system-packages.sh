#!/usr/bin/env bash
# Install the Debian packages the test suite needs (system-packages.txt), when this machine lets us: as root,
# or through sudo without a password. Otherwise say what is missing and go on: the tests needing it are
# skipped and the run's summary says so. With TEST_STRICT=1 (CI) a package we cannot install fails instead.
# SYSTEM_PACKAGES_INSTALL=no only reports; SYSTEM_PACKAGES_LIST names another list (the tests use both).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
list="${SYSTEM_PACKAGES_LIST:-$here/system-packages.txt}"

missing=()
# make and the venv module first: `make test` itself needs them (Debian ships ensurepip in python3-venv).
command -v make >/dev/null || missing+=(make)
if ! command -v python3 >/dev/null; then
  missing+=(python3 python3-venv)
elif ! python3 -c 'import ensurepip' 2>/dev/null; then
  missing+=(python3-venv)
fi
while read -r name package pattern _; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  override="${name^^}_PATH"
  compgen -G "${!override:-$pattern}" >/dev/null || missing+=("$package")
done < "$list"
[ ${#missing[@]} -eq 0 ] && exit 0

give_up() {
  echo "system-packages: $1; missing: ${missing[*]}" >&2
  echo "  the tests needing them are skipped; install them with: sudo apt-get install -y ${missing[*]}" >&2
  if [ "${TEST_STRICT:-0}" != 0 ]; then
    echo "  TEST_STRICT is set: a missing system package is a failure" >&2
    exit 1
  fi
  exit 0
}

[ "${SYSTEM_PACKAGES_INSTALL:-yes}" = no ] && give_up "not installing (SYSTEM_PACKAGES_INSTALL=no)"
command -v apt-get >/dev/null || give_up "no apt-get on this machine"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  give_up "cannot install (not root, and sudo needs a password)"
fi

echo "system-packages: installing ${missing[*]}"
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq)
"${apt[@]}" update || give_up "apt-get update failed"
"${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null || give_up "apt-get install failed"
