#!/usr/bin/env bash
# One archive holds everything a gisgov deployment stores: the database (pg_dump custom
# format) and the uploaded files (the media folder).
#   scripts/backup.sh backup  ARCHIVE.tar   write the archive (atomically: ARCHIVE appears whole)
#   scripts/backup.sh restore ARCHIVE.tar   replace the database's contents and the media folder
# The database is DATABASE_URL when set, else the project-local cluster (GISGOV_PG_PORT,
# GISGOV_DB_NAME); the media folder is GISGOV_MEDIA_ROOT, else .data/media.
set -euo pipefail

root_dir=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-}
archive=${2:-}
if [ -z "$mode" ] || [ -z "$archive" ]; then
  echo "usage: $0 backup|restore ARCHIVE.tar" >&2
  exit 2
fi
if [ -n "${DATABASE_URL:-}" ]; then
  database=${DATABASE_URL/#postgis:/postgresql:}
else
  database="postgresql://gisgov@127.0.0.1:${GISGOV_PG_PORT:-55432}/${GISGOV_DB_NAME:-gisgov}"
fi
media=${GISGOV_MEDIA_ROOT:-$root_dir/.data/media}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

backup() {
  pg_dump --format=custom --no-owner --dbname="$database" --file="$work/database.dump"
  mkdir -p "$work/media"
  if [ -d "$media" ]; then cp -a "$media/." "$work/media/"; fi
  printf 'gisgov backup 1\ncreated %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$work/MANIFEST"
  tar -C "$work" -cf "$archive.partial" MANIFEST database.dump media
  mv "$archive.partial" "$archive"
  echo "backup written to $archive"
}

restore() {
  tar -C "$work" -xf "$archive"
  if ! head -1 "$work/MANIFEST" 2>/dev/null | grep -q '^gisgov backup 1$'; then
    echo "$archive is not a gisgov backup" >&2
    exit 1
  fi
  # One transaction: a restore that fails leaves the database as it was. Through psql so that
  # the drops of the monthly incident partitions' primary keys can be left out: pg_restore
  # --clean (15) drops them before their parent's, which PostgreSQL refuses as they are
  # inherited; dropping the parent's key and the partitions removes them anyway.
  pg_restore --clean --if-exists --no-owner --file=- "$work/database.dump" |
    sed -E '/^ALTER TABLE IF EXISTS ONLY [^ ]+ DROP CONSTRAINT IF EXISTS incidents_incident_(y[0-9]{4}m[0-9]{2}|default)_pkey;$/d' |
    PGOPTIONS="-c client_min_messages=warning" psql --single-transaction -v ON_ERROR_STOP=1 -q -X \
      --dbname="$database" >/dev/null
  mkdir -p "$media"
  find "$media" -mindepth 1 -delete
  cp -a "$work/media/." "$media/"
  echo "restored $archive"
}

case "$mode" in
  backup) backup ;;
  restore) restore ;;
  *) echo "usage: $0 backup|restore ARCHIVE.tar" >&2; exit 2 ;;
esac
