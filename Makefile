# SPDX-License-Identifier: GPL-2.0
#
#   make                 ipt_NETFLOW.ko against KDIR, and userspace/libxt_NETFLOW.so
#   make install         modules_install + depmod, the iptables extension, the man pages
#                        (DESTDIR=/stage for a staged install)
#   make CLIPPY=1        the same, with the kernel's clippy lints
#   make test            everything, from a fresh machine: test kernel, host tests, VM tests
#   make demo            boot the test kernel, load the module, show it working
#   make bench           packet-path benchmark (pktgen, benchmark kernel), table + plot
#   make host-test       the pure-logic tests on the host (cargo test)
#   make fmt / fmt-check rustfmt with the kernel's config

KDIR ?= /lib/modules/$(shell uname -r)/build
# A kernel built with clang wants LLVM=1 for modules too (and bindgen needs clang flags).
LLVM ?= $(if $(shell grep -s '^CONFIG_CC_IS_CLANG=y' $(KDIR)/.config),1,)
KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(LLVM),LLVM=$(LLVM))

# The tracked and new sources (not build copies under out/); outside git, every .rs file.
RUST_SOURCES = $(filter-out %_generated.rs,$(or $(shell git ls-files -co --exclude-standard '*.rs' 2>/dev/null),$(shell find . -name '*.rs' -not -path './out/*' -not -path './tests/host/target/*')))

.PHONY: all module userspace install clean test demo bench host-test fmt fmt-check

all: module userspace

module:
	$(KMAKE) modules

userspace:
	$(MAKE) -C userspace

# DESTDIR stages everything (module, extension, man pages) under another root;
# INSTALL_MOD_PATH (default DESTDIR) moves only the module, as for the kernel's own.
DESTDIR ?=
INSTALL_MOD_PATH ?= $(DESTDIR)
MANDIR ?= /usr/share/man
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

install: all
	$(KMAKE) INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) modules_install
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KVER)
	$(MAKE) -C userspace install DESTDIR=$(DESTDIR)
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 docs/ipt_NETFLOW.8 $(DESTDIR)$(MANDIR)/man8/ipt_NETFLOW.8
	install -m 0644 userspace/libxt_NETFLOW.man $(DESTDIR)$(MANDIR)/man8/libxt_NETFLOW.8

clean:
	$(KMAKE) clean
	$(MAKE) -C userspace clean
	rm -f glue/bindings_generated.rs

host-test:
	cd tests/host && cargo test --quiet

test:
	tests/run-all.sh

demo:
	tests/demo.sh

bench:
	tests/bench/run.sh

fmt:
	rustfmt --edition 2021 --config-path $(KDIR)/.rustfmt.toml $(RUST_SOURCES)

fmt-check:
	rustfmt --edition 2021 --check --config-path $(KDIR)/.rustfmt.toml $(RUST_SOURCES)
