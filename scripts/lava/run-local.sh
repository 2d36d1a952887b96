# shellcheck shell=bash disable=SC2154 # sourced by scripts/lava/lab.sh
lava_local() { echo TODO; return 1; }
