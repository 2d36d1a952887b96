# smclat: top-level, non-recursive build. Each part of the tree adds itself through its own
# module.mk (trace-parse/, cli/, bench/, reports/, ...). See docs/building.md.
#
#   make                 build everything for this host (installs missing build packages)
#   make check           unit tests (cmocka, ASan+UBSan), end-to-end tests, bounded fuzzing
#   make bench           benchmarks; writes docs/performance.md
#   make demo            the default suite on the emulated Xen lab, and its report
#   make install         PREFIX=/usr/local DESTDIR=
#   make CROSS=aarch64-linux-gnu-   static arm64 guest programs (bench/) in build/aarch64
#   make stub            the freestanding arm64 stub-domain mediator (stub/, docs/stub.md)
#   make format          clang-format every C file

PREFIX  ?= /usr/local
DESTDIR ?=
SHARED  ?= $(abspath ../shared)
NO_DEPS ?=

include mk/common.mk

# Parts of the tree. Order matters only for variables used at parse time.
include common/module.mk
-include synth/module.mk
-include trace-parse/module.mk
-include trace-parse/bt2/module.mk
-include cli/module.mk
-include bench/module.mk
-include stub/module.mk
-include reports/module.mk
-include scripts/module.mk
-include record/module.mk
-include tests/module.mk
-include fuzz/module.mk

include mk/rules.mk
