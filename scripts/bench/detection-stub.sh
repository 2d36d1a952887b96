#!/bin/bash
# make bench section: the call detector on the detection matrix with smclat-stub, the
# freestanding guest, as the mediator (no kernel, no timer: every wake of it is a call's).
# DETECTION_STUB_RESULTS=DIR reuses a finished run (smclat suite run
# workloads/detection.suite --set topology.mediator=stub -o DIR).
DETECTION_MEDIATOR=stub DETECTION_RESULTS=${DETECTION_STUB_RESULTS:-} \
    exec bash "$(dirname "$0")/detection.sh"
