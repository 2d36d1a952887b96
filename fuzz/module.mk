# libFuzzer targets (built with clang by `make check`, run for FUZZ_SECONDS each).
FUZZERS += fuzz_reader
fuzz_reader_SRCS := fuzz/fuzz_reader.c
fuzz_reader_ARCHIVES := libsmclat-trace
