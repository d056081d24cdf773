#!/usr/bin/env bash
# Create the Python test environments .venvs/current and .venvs/legacy from python/requirements/*.txt.
# Idempotent: a venv is rebuilt only when missing or when its requirements file changed (hash stamp), so
# `npm test` can run it every time. Quiet unless something fails; needs no stdin (CI=true, root is fine).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${MIGRAKIT_VENV_PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore

hash_of() { sha256sum "$1" | cut -d' ' -f1; }

# Names on the command line build only those (the demo needs only `current`).
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(current legacy)

for name in "${names[@]}"; do
  requirements="$root/python/requirements/$name.txt"
  venv="$root/.venvs/$name"
  stamp="$venv/.requirements.sha256"
  want="$(hash_of "$requirements")"
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    continue
  fi
  echo "python-envs: building .venvs/$name from python/requirements/$name.txt" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  log="$(mktemp)"
  if ! "$venv/bin/python" -m pip install --quiet --requirement "$requirements" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    rm -rf "$venv"
    echo "python-envs: installing python/requirements/$name.txt failed (see above)" >&2
    exit 1
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
done
