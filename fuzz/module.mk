# libFuzzer targets (built with clang by `make check`, run for FUZZ_SECONDS each).
FUZZERS += fuzz_reader
fuzz_reader_SRCS := fuzz/fuzz_reader.c
fuzz_reader_ARCHIVES := libsmclat-trace
# the scheduler model and the call detector on arbitrary event sequences (branch model)
FUZZERS += fuzz_model
fuzz_model_SRCS := fuzz/fuzz_model.c
fuzz_model_ARCHIVES := libsmclat-trace
# the mediator's request handling against a client that writes anything in the shared ring
FUZZERS += fuzz_mediator
fuzz_mediator_SRCS := fuzz/fuzz_mediator.c bench/ring.c bench/proto.c bench/mediator_core.c \
    bench/buftable.c
