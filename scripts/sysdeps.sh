#!/usr/bin/env bash
# Installs the Debian packages gisgov needs when they are missing (through sudo when not root).
set -euo pipefail
# chromium and fonts-noto-cjk: the console and field-page browser tests (and their screenshots);
# docker-compose: only so the tests can run `docker-compose config` on docker/compose.yml;
# nginx: only so the tests can serve the image's layout behind docker/nginx.conf (never started
# as a service).
packages=(postgresql-15-postgis-3 postgresql-client-15 gdal-bin python3-venv chromium fonts-noto-cjk
  docker-compose nginx)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
