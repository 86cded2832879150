#!/usr/bin/env bash
# Install (when missing) and start what the test suite needs: PostgreSQL with a role and a
# database "app", Debian's Chromium for the browser tests, and the fonts WeasyPrint uses.
# Idempotent; run as root on Debian 12.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=()
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s libharfbuzz-subset0 >/dev/null 2>&1 || need+=(libharfbuzz-subset0)
command -v xgettext >/dev/null || need+=(gettext)
# A font with Chinese glyphs, for invoices and letters in Chinese (WeasyPrint uses fontconfig).
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
PGVER=$(ls /etc/postgresql | sort -V | tail -1)
# apt creates the cluster "main", but policy-rc.d keeps it stopped.
pg_lsclusters -h | grep -q "^$PGVER main" || pg_createcluster "$PGVER" main >/dev/null
pg_lsclusters -h | grep -q "^$PGVER main .* online" || pg_ctlcluster --skip-systemctl-redirect "$PGVER" main start
runuser -u postgres -- psql -qAt -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'CREATE ROLE app LOGIN PASSWORD ''app'' CREATEDB' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app')\gexec
SELECT 'CREATE DATABASE app OWNER app' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'app')\gexec
SQL
