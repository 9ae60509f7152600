#!/usr/bin/env bash
# Installs what is missing, builds, and starts slad on its embedded
# defaults: the default policy, the data folder ./slad-data, 127.0.0.1:7411,
# the system clock, no tokens (loopback only). Extra arguments go to slad
# (e.g. --policy my_policy.toml, or --config with a copy of
# docs/slad.example.toml whose token and TLS paths exist: as shipped it
# names /etc/slad files). Stop it with Ctrl-C (SIGINT: it drains and
# exits 0).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh build
exec ./build/api/slad "$@"
