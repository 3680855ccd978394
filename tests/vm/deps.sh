#!/usr/bin/env bash
# Installs everything the build, the test kernel and the VM tests need, idempotently.
# Debian packages, rustup's rust-src, and a pinned bindgen-cli from crates.io.
set -euo pipefail

BINDGEN_VERSION=0.73.2   # TOOLCHAIN.md: measured to work with 6.12 + rustc 1.95

PKGS=(
	linux-source-6.12 xz-utils make flex bison bc cpio kmod libelf-dev libssl-dev
	clang lld llvm libclang-dev
	qemu-system-x86 rsync
	iptables libxtables-dev pkg-config iproute2 nftables iputils-ping socat
	nfdump tshark pmacct conntrack python3
	dkms man-db groff-base
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export PATH="$HOME/.cargo/bin:$PATH"
if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
	echo "deps: rustup component add rust-src"
	rustup component add rust-src
fi
if ! bindgen --version 2>/dev/null | grep -q "$BINDGEN_VERSION"; then
	echo "deps: cargo install bindgen-cli $BINDGEN_VERSION"
	cargo install --locked --quiet bindgen-cli --version "$BINDGEN_VERSION"
fi
