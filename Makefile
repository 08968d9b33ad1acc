# podwall: top-level build. `make` builds the module and the tools;
# `make check` installs what is missing and runs every test suite;
# `make demo` shows a node before and after policies, with real packets.

KVER	?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's|.*/linux-headers-||' | sort -V | tail -n 1)
KDIR	?= /usr/src/linux-headers-$(KVER)
DEPS_STAMP := build/.deps-ok

.PHONY: all deps module tools check demo bench style sparse install dkms-install clean

all: module tools

deps:
	@./scripts/deps.sh

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C userspace
	$(MAKE) -C tests/tools

check: deps
	@./tests/check.sh

demo: deps
	@./scripts/demo.sh

bench: deps
	@./tests/bench/run

style:
	@./scripts/style.sh

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 W=1 modules

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	$(MAKE) -C userspace install

dkms-install:
	./scripts/dkms-install.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C userspace clean
	-$(MAKE) -C tests/tools clean
	rm -rf build tests/out
