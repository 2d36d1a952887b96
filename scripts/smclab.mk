# Real SMCs from a DomU in the emulated lab (docs/smc.md): an e2e test with one short
# deterministic smc+xen boot (about 35 s warm), and a `make bench` section with six boots
# (smc twice, bare HVC, OP-TEE ids, xen, smc+xen side by side).
E2E_TESTS += tests/e2e/lab-smc.sh
BENCHES += scripts/bench/lab-smc.sh
CHECK_DEPS += bench-kmod
