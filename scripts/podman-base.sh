#!/usr/bin/env bash
# The offline Debian 12 base image the project's Dockerfiles build from (no registry needed):
#   podman-base.sh [IMAGE]   (as root; IMAGE defaults to localhost/lifdag-debian:bookworm)
# Made once with `debootstrap --variant=minbase bookworm` from the machine's own Debian mirror
# (its apt configuration) and `podman import`; later calls find the image and return at once.
# The image keeps the machine's apt sources, so Dockerfiles can `apt-get install` runtime libraries.
set -euo pipefail
IMAGE=${1:-${LIFDAG_BASE_IMAGE:-localhost/lifdag-debian:bookworm}}

command -v podman >/dev/null || { echo "podman-base: podman is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
if ! err=$(podman info 2>&1 >/dev/null); then
  echo "podman-base: podman cannot work here: $(tail -2 <<<"$err" | tr '\n' ' ')" >&2; exit 1
fi
if podman image exists "$IMAGE"; then
  exit 0
fi
# Test suites running side by side may all find it missing: one makes it, the others wait for it.
exec 9>"/tmp/lifdag-podman-base.lock"
flock 9
if podman image exists "$IMAGE"; then
  exit 0
fi
command -v debootstrap >/dev/null || { echo "podman-base: debootstrap is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "podman-base: debootstrap needs root" >&2; exit 1; }

# The machine's own Debian mirror, from its apt configuration (deb822 or one-line format).
MIRROR=$( (grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}';
           grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}') | grep -v security | head -1 || true)
[ -n "$MIRROR" ] || { echo "podman-base: no Debian mirror found in /etc/apt/sources.list{,.d/*.sources}" >&2; exit 1; }

ROOT=$(mktemp -d /tmp/lifdag-base.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
echo "podman-base: debootstrap --variant=minbase bookworm from $MIRROR (once; the image is kept)"
t0=$(date +%s)
if ! debootstrap --variant=minbase bookworm "$ROOT/root" "$MIRROR" >"$ROOT/debootstrap.log" 2>&1; then
  echo "podman-base: debootstrap failed:" >&2; tail -20 "$ROOT/debootstrap.log" >&2; exit 1
fi
# apt inside the image uses the same sources as this machine.
rm -f "$ROOT/root/etc/apt/sources.list"
cp /etc/apt/sources.list "$ROOT/root/etc/apt/sources.list" 2>/dev/null || true
cp /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list "$ROOT/root/etc/apt/sources.list.d/" 2>/dev/null || true
# A smaller base, like Debian's -slim images: no apt lists or caches, and neither documentation
# nor translations now or in packages installed later.
rm -rf "$ROOT/root/var/lib/apt/lists/"* "$ROOT/root/var/cache/apt/"*.bin "$ROOT/root/var/cache/apt/archives/"*.deb \
       "$ROOT/root/usr/share/doc/"* "$ROOT/root/usr/share/man/"* "$ROOT/root/usr/share/info/"* \
       "$ROOT/root/usr/share/locale/"* "$ROOT/root/var/cache/debconf/"*-old
cat > "$ROOT/root/etc/dpkg/dpkg.cfg.d/lifdag-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
tar --numeric-owner -C "$ROOT/root" -c . | podman import -q --change 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
echo "podman-base: $IMAGE ready after $(( $(date +%s) - t0 )) s ($(podman image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"
