#!/usr/bin/env bash
# Assembles the root filesystem of a slim runtime image in OUT from Debian packages installed in
# the image running this script (a build stage): the shared libraries of PACKAGES (with the SQL
# driver and TLS plugins of Qt), the files and trees given with --with, and everything they link;
# bash and env for entrypoints and health checks, CA certificates, time zones, the C.UTF-8 locale,
# and one unprivileged user owning the writable directories. No package manager, no
# documentation: the image holds what its programs load.
#   runtime-rootfs.sh [--user NAME:ID] [--dir PATH]... [--with PATH]... OUT [PACKAGE...]
#     PACKAGE...   installed with apt-get when missing; default: the runtime libraries of `lifdag`
#     --user       default lifdag:10001, with --dir /opt/dagster/app --dir /opt/dagster/shared
#                  (the launcher settings volume) unless --user is given
#     --dir PATH   a directory the user owns (repeatable)
#     --with PATH  a file or directory tree copied as it is; its programs and shared objects bring
#                  their libraries (repeatable)
set -euo pipefail
usage="usage: runtime-rootfs.sh [--user NAME:ID] [--dir PATH]... [--with PATH]... OUT [PACKAGE...]"
user=lifdag:10001
dirs=()
with=()
custom_user=0
while [ $# -gt 0 ]; do
  case "$1" in
    --user) user=${2:?$usage}; custom_user=1; shift 2 ;;
    --dir) dirs+=("${2:?$usage}"); shift 2 ;;
    --with) with+=("${2:?$usage}"); shift 2 ;;
    -*) echo "runtime-rootfs: unknown option $1; $usage" >&2; exit 2 ;;
    *) break ;;
  esac
done
OUT=${1:?$usage}
shift
[ $custom_user -eq 1 ] || dirs+=(/opt/dagster/app /opt/dagster/shared)
[[ $user =~ ^([a-z_][a-z0-9_-]*):([0-9]+)$ ]] || { echo "runtime-rootfs: --user: expected NAME:ID, got $user" >&2; exit 2; }
user_name=${BASH_REMATCH[1]}
user_id=${BASH_REMATCH[2]}
[ $# -gt 0 ] || set -- libqt6core6 libqt6network6 libqt6sql6 libqt6sql6-psql libqt6sql6-sqlite \
  libqt6httpserver6 libqt6websockets6 libgrpc++1.51 libyaml-cpp0.7 ca-certificates

absent=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || absent+=("$p")
done
if [ ${#absent[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${absent[@]}"
  rm -rf /var/lib/apt/lists/*
fi

mkdir -p "$OUT"/usr/bin "$OUT"/usr/sbin "$OUT"/usr/lib "$OUT"/usr/lib64 "$OUT"/usr/local/bin "$OUT"/etc "$OUT"/tmp
for d in bin sbin lib lib64; do ln -sfn "usr/$d" "$OUT/$d"; done # Debian's merged /usr
mkdir -p "$OUT/var" "$OUT/run"
ln -sfn /run "$OUT/var/run"
chmod 1777 "$OUT/tmp"

declare -A copied
copy() { # one file, dereferenced, under its canonical directory
  local f=$1 dest
  dest="$OUT$(readlink -f "$(dirname "$f")")/$(basename "$f")"
  [ -z "${copied[$dest]:-}" ] || return 0
  copied[$dest]=1
  mkdir -p "$(dirname "$dest")"
  cp -L "$f" "$dest"
}

anchors=(/usr/bin/bash /usr/bin/env)
while IFS= read -r f; do
  case "$f" in
    */qt6/plugins/sqldrivers/*.so | */qt6/plugins/tls/*.so) anchors+=("$f") ;;
    */qt6/plugins/*) ;;                               # GUI, network information: not used
    *.so.[0-9]*) [ -L "$f" ] && anchors+=("$f") ;;    # a library under its soname
  esac
done < <(dpkg -L "$@")
for w in "${with[@]}"; do
  [ -e "$w" ] || { echo "runtime-rootfs: --with $w: no such file or directory" >&2; exit 1; }
  cp -a --parents "$w" "$OUT"
  while IFS= read -r -d '' f; do
    case "$f" in *.so | *.so.*) anchors+=("$f") ;; *) [ -x "$f" ] && anchors+=("$f") ;; esac
  done < <(find "$w" -type f -print0)
done

missing=0
for f in "${anchors[@]}"; do
  copy "$f"
  deps=$(ldd "$f" 2>&1 || true)
  if grep -q "not found" <<<"$deps"; then
    echo "runtime-rootfs: $f: $(grep 'not found' <<<"$deps" | tr -s ' \t\n' ' ')" >&2
    case "$f" in */qt6/plugins/*) ;; *) missing=1 ;; esac
  fi
  while IFS= read -r dep; do copy "$dep"; done < <(grep -o '/[^ ]*' <<<"$deps" || true)
done
[ "$missing" -eq 0 ] || { echo "runtime-rootfs: libraries are missing (see above)" >&2; exit 1; }
ln -sfn bash "$OUT/usr/bin/sh" # for popen() and system()

cp -a /etc/ld.so.conf /etc/ld.so.conf.d "$OUT/etc/"
ldconfig -r "$OUT"
for f in /etc/ssl /usr/lib/ssl /usr/share/ca-certificates /usr/share/zoneinfo /usr/lib/locale/C.utf8 \
  /etc/nsswitch.conf /usr/lib/os-release; do
  [ ! -e "$f" ] || cp -a --parents "$f" "$OUT" # CA certificates only where a package brought them
done
ln -sfn ../usr/lib/os-release "$OUT/etc/os-release"
ln -sfn /usr/share/zoneinfo/Etc/UTC "$OUT/etc/localtime"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\n%s:x:%s:%s:%s:%s:/usr/sbin/nologin\n' \
  "$user_name" "$user_id" "$user_id" "$user_name" "${dirs[0]:-/}" > "$OUT/etc/passwd"
printf 'root:x:0:\n%s:x:%s:\n' "$user_name" "$user_id" > "$OUT/etc/group"
for d in "${dirs[@]}"; do
  mkdir -p "$OUT$d"
  chown "$user_id:$user_id" "$OUT$d"
done
echo "runtime-rootfs: $(du -sh "$OUT" | cut -f1) from ${#anchors[@]} programs, libraries and plugins of: $* ${with[*]}"
