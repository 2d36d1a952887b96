# synth/: synthetic xentrace files with known answers. smclat-synth (installed to libexec: the
# tests, the benchmarks and docs/performance.md use it) and the trace writer the unit tests share.
TRACEGEN_SRCS := synth/tracegen.c
LIBEXEC += smclat-synth
smclat-synth_SRCS := synth/synth.c $(TRACEGEN_SRCS)
CPPFLAGS += -Isynth
