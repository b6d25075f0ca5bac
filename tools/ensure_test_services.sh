#!/usr/bin/env bash
# What the test suite needs on this machine, started or installed only when missing:
# Redis on 127.0.0.1:6379, MariaDB on 127.0.0.1:3306 (root, no password), OpenLDAP's slapd,
# Chromium and fonts.
# Used by `./chat test` and by .ci/run.
set -uo pipefail
export DEBIAN_FRONTEND=noninteractive

apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; }
  apt-get install -y -qq "$@" >/dev/null 2>&1
}

wait_for() { # wait_for SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG; }
if ! redis_up 2>/dev/null; then
  command -v redis-server >/dev/null || apt_install redis-server redis-tools
  echo "test services: starting Redis" >&2
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null
  wait_for 20 redis_up || { echo "test services: Redis did not start" >&2; exit 1; }
fi

mariadb_up() { mariadb -h 127.0.0.1 -P 3306 -uroot -e 'SELECT 1'; }
if ! mariadb_up >/dev/null 2>&1; then
  command -v mariadbd >/dev/null || apt_install mariadb-server mariadb-client
  echo "test services: starting MariaDB" >&2
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_for 60 mariadb_up || { echo "test services: MariaDB did not start" >&2; exit 1; }
fi

# OpenLDAP for the company-directory tests (each test runs a slapd of its own on free ports;
# the package's own slapd on port 389 is not used). openssl makes the tests' TLS certificates.
if ! command -v slapd >/dev/null && [ ! -x /usr/sbin/slapd ] || ! command -v openssl >/dev/null; then
  echo "test services: installing OpenLDAP (directory tests)" >&2
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections 2>/dev/null
  apt_install slapd ldap-utils openssl || echo "test services: could not install slapd" >&2
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "test services: installing Chromium (browser tests)" >&2
  apt_install chromium || echo "test services: could not install chromium" >&2
fi
# Chinese and colour-emoji fonts: without them the page's screenshots (docs/screenshots) show
# boxes for Chinese text and emoji. The tests read text from the DOM and pass either way.
# (Captured, not piped to `grep -q`: with pipefail, fc-list's SIGPIPE would fail the test.)
fonts_zh=$(fc-list :lang=zh 2>/dev/null)
fonts_emoji=$(fc-list 2>/dev/null | grep -i "color emoji")
if [ -z "$fonts_zh" ] || [ -z "$fonts_emoji" ]; then
  echo "test services: installing Chinese and emoji fonts (page screenshots)" >&2
  apt_install fonts-wqy-microhei fonts-noto-color-emoji || echo "test services: could not install the fonts" >&2
fi
exit 0
