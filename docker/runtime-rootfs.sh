#!/usr/bin/env bash
# Assembles the root filesystem of lifdag's runtime images in OUT from Debian packages installed
# in the image running this script (a build stage): the shared libraries of PACKAGES (with the
# SQL driver and TLS plugins of Qt) and everything they link, bash and env for the entrypoint and
# the health check, CA certificates, time zones, the C.UTF-8 locale, and the unprivileged user
# lifdag (uid 10001). No package manager, no documentation: the image holds what lifdag loads.
#   runtime-rootfs.sh OUT PACKAGE...
set -euo pipefail
OUT=${1:?usage: runtime-rootfs.sh OUT PACKAGE...}
shift
[ $# -gt 0 ] || { echo "runtime-rootfs: no packages named" >&2; exit 2; }

mkdir -p "$OUT"/usr/bin "$OUT"/usr/sbin "$OUT"/usr/lib "$OUT"/usr/lib64 "$OUT"/usr/local/bin "$OUT"/etc \
         "$OUT"/tmp "$OUT"/opt/dagster/dagster_home "$OUT"/opt/dagster/app
for d in bin sbin lib lib64; do ln -sfn "usr/$d" "$OUT/$d"; done # Debian's merged /usr
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

cp -a /etc/ld.so.conf /etc/ld.so.conf.d "$OUT/etc/"
ldconfig -r "$OUT"
cp -a --parents /etc/ssl /usr/lib/ssl /usr/share/ca-certificates /usr/share/zoneinfo /usr/lib/locale/C.utf8 \
  /etc/nsswitch.conf /usr/lib/os-release "$OUT"
ln -sfn ../usr/lib/os-release "$OUT/etc/os-release"
ln -sfn /usr/share/zoneinfo/Etc/UTC "$OUT/etc/localtime"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nlifdag:x:10001:10001:lifdag:/opt/dagster:/usr/sbin/nologin\n' \
  > "$OUT/etc/passwd"
printf 'root:x:0:\nlifdag:x:10001:\n' > "$OUT/etc/group"
chown 10001:10001 "$OUT/opt/dagster/app"
echo "runtime-rootfs: $(du -sh "$OUT" | cut -f1) from ${#anchors[@]} libraries and plugins of: $*"
