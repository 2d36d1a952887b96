# Reads and checks a lab parameter file (docs/lab.md); sourced by run.sh (bash).
# shellcheck disable=SC2094 # lab_params_err only names the file it reports on
# lab_params_load FILE: sets every key (defaults for those not given), or prints
# "run.sh: FILE:LINE: KEY: problem" and returns 2.
LAB_KEYS="NAME MODE PCPUS XEN_BUILD XEN_SCHED XEN_EXTRA DOM0_VCPUS DOM0_MEM DOM0_LOAD DOMU_MEM
 CLIENT_VCPUS MEDIATOR_VCPUS NOISE_DOMAINS NOISE_VCPUS NOISE_LOAD POOLS MEDIATOR_POOL
 CLIENT_POOL NOISE_POOL PIN_MEDIATOR PIN_CLIENT PIN_NOISE PIN_DOM0 WEIGHT_MEDIATOR WEIGHT_CLIENT
 WEIGHT_NOISE WEIGHT_DOM0 CAP_MEDIATOR CAP_CLIENT CAP_NOISE CAP_DOM0 RATELIMIT_US TSLICE_MS
 RTDS_MEDIATOR RTDS_CLIENT RTDS_NOISE RTDS_DOM0 ARINC653 TRANSPORT MEDIATOR_KIND
 GEN_ARGS MEDIATOR_ARGS TRACE_SECONDS TIMEOUT_S"

lab_params_err() { # FILE LINE KEY MESSAGE
    echo "run.sh: $1:$2: $3: $4" >&2
    return 2
}

lab_params_load() {
    local f=$1 n=0 line key val
    [ -r "$f" ] || { echo "run.sh: $f: cannot read the parameter file" >&2; return 2; }
    for key in $LAB_KEYS; do unset "$key"; done
    declare -gA LAB_LINE=()
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        case $line in '' | '#'*) continue ;; esac
        if [[ ! $line =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]]; then
            lab_params_err "$f" $n "${line%%=*}" "expected KEY=VALUE"
            return 2
        fi
        key=${BASH_REMATCH[1]}
        val=${BASH_REMATCH[2]}
        case " ${LAB_KEYS//$'\n'/ } " in *" $key "*) ;; *)
            lab_params_err "$f" $n "$key" "unknown key (docs/lab.md lists them)"
            return 2 ;;
        esac
        # values: bare words or one quoted string, no command substitution
        if [[ $val =~ [\`\$\;\&\|\<\>\(\)] ]]; then
            lab_params_err "$f" $n "$key" "value must be plain text, found '$val'"
            return 2
        fi
        if [[ $val =~ ^\"(.*)\"$ ]] || [[ $val =~ ^\'(.*)\'$ ]]; then
            val=${BASH_REMATCH[1]}
        elif [[ $val =~ [[:space:]\"\'] ]]; then
            lab_params_err "$f" $n "$key" "quote a value with spaces, found '$val'"
            return 2
        fi
        printf -v "$key" '%s' "$val"
        LAB_LINE[$key]=$n
    done < "$f"
    lab_params_defaults
    lab_params_check "$f"
}

lab_params_defaults() {
    NAME=${NAME:-$(basename "${LAB_PARAMS_FILE:-scenario}" .env)}
    MODE=${MODE:-deterministic}
    if [ -z "${PCPUS:-}" ]; then
        if [ "$MODE" = smp ]; then PCPUS=2; else PCPUS=1; fi
    fi
    XEN_BUILD=${XEN_BUILD:-auto}
    XEN_SCHED=${XEN_SCHED:-credit2}
    XEN_EXTRA=${XEN_EXTRA:-}
    DOM0_VCPUS=${DOM0_VCPUS:-$PCPUS}
    DOM0_MEM=${DOM0_MEM:-512M}
    DOM0_LOAD=${DOM0_LOAD:-none}
    DOMU_MEM=${DOMU_MEM:-128}
    CLIENT_VCPUS=${CLIENT_VCPUS:-1}
    MEDIATOR_VCPUS=${MEDIATOR_VCPUS:-1}
    NOISE_DOMAINS=${NOISE_DOMAINS:-0}
    NOISE_VCPUS=${NOISE_VCPUS:-1}
    NOISE_LOAD=${NOISE_LOAD:-busy}
    POOLS=${POOLS:-}
    local k
    for k in MEDIATOR_POOL CLIENT_POOL NOISE_POOL PIN_MEDIATOR PIN_CLIENT PIN_NOISE PIN_DOM0 \
        WEIGHT_MEDIATOR WEIGHT_CLIENT WEIGHT_NOISE WEIGHT_DOM0 CAP_MEDIATOR CAP_CLIENT CAP_NOISE \
        CAP_DOM0 RATELIMIT_US TSLICE_MS RTDS_MEDIATOR RTDS_CLIENT RTDS_NOISE RTDS_DOM0 ARINC653 \
        GEN_ARGS MEDIATOR_ARGS; do
        printf -v "$k" '%s' "${!k:-}"
    done
    TRANSPORT=${TRANSPORT:-xen}
    MEDIATOR_KIND=${MEDIATOR_KIND:-linux}
    TRACE_SECONDS=${TRACE_SECONDS:-10}
    TIMEOUT_S=${TIMEOUT_S:-300}
}

# lab_int FILE KEY MIN MAX
lab_int() {
    local v=${!2}
    if [[ ! $v =~ ^[0-9]+$ ]] || [ "$v" -lt "$3" ] || [ "$v" -gt "$4" ]; then
        lab_params_err "$1" "${LAB_LINE[$2]:-default}" "$2" "expected an integer in $3..$4, found '$v'"
        return 2
    fi
}
lab_cpulist() { # FILE KEY: empty or a cpu list within PCPUS
    local v=${!2} c
    [ -z "$v" ] && return 0
    if [[ ! $v =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]]; then
        lab_params_err "$1" "${LAB_LINE[$2]:-default}" "$2" "expected a cpu list (1 or 0,1 or 0-1), found '$v'"
        return 2
    fi
    for c in $(echo "$v" | tr ',-' '  '); do
        if [ "$c" -ge "$PCPUS" ]; then
            lab_params_err "$1" "${LAB_LINE[$2]:-default}" "$2" "pCPU $c does not exist (PCPUS=$PCPUS)"
            return 2
        fi
    done
}
lab_enum() { # FILE KEY VALUES...
    local f=$1 k=$2 v=${!2} x
    shift 2
    for x in "$@"; do [ "$v" = "$x" ] && return 0; done
    lab_params_err "$f" "${LAB_LINE[$k]:-default}" "$k" "expected one of $*, found '$v'"
}

lab_params_check() {
    local f=$1 k p pools=" Pool-0 "
    [[ $NAME =~ ^[A-Za-z0-9._-]+$ ]] || { lab_params_err "$f" "${LAB_LINE[NAME]:-default}" NAME "expected letters, digits, . _ -, found '$NAME'"; return 2; }
    lab_enum "$f" MODE deterministic smp || return 2
    lab_int "$f" PCPUS 1 8 || return 2
    if [ "$MODE" = deterministic ] && [ "$PCPUS" != 1 ]; then
        lab_params_err "$f" "${LAB_LINE[PCPUS]:-default}" PCPUS "deterministic mode has one pCPU (QEMU hangs Xen with -smp > 1 and a fixed icount), found $PCPUS"
        return 2
    fi
    lab_enum "$f" XEN_BUILD auto debian source || return 2
    lab_enum "$f" XEN_SCHED credit2 credit rtds null arinc653 || return 2
    case $XEN_SCHED in null | arinc653)
        lab_params_err "$f" "${LAB_LINE[XEN_SCHED]:-default}" XEN_SCHED "$XEN_SCHED cannot be the whole machine's scheduler here (Dom0 and every guest share it); give it to a pool in POOLS"
        return 2 ;;
    esac
    lab_int "$f" DOM0_VCPUS 1 "$PCPUS" || return 2
    [[ $DOM0_MEM =~ ^[0-9]+[KMG]?$ ]] || { lab_params_err "$f" "${LAB_LINE[DOM0_MEM]:-default}" DOM0_MEM "expected a size like 512M, found '$DOM0_MEM'"; return 2; }
    [[ $DOM0_LOAD =~ ^(none|busy:[0-9]+)$ ]] || { lab_params_err "$f" "${LAB_LINE[DOM0_LOAD]:-default}" DOM0_LOAD "expected none or busy:N, found '$DOM0_LOAD'"; return 2; }
    lab_int "$f" DOMU_MEM 32 1024 || return 2
    lab_int "$f" CLIENT_VCPUS 1 8 || return 2
    lab_int "$f" MEDIATOR_VCPUS 1 8 || return 2
    lab_int "$f" NOISE_DOMAINS 0 8 || return 2
    lab_int "$f" NOISE_VCPUS 1 8 || return 2
    lab_enum "$f" NOISE_LOAD busy idle || return 2
    for p in $POOLS; do
        if [[ ! $p =~ ^([A-Za-z][A-Za-z0-9_-]*):(credit2|credit|null|rtds|arinc653):([0-9,-]+)$ ]]; then
            lab_params_err "$f" "${LAB_LINE[POOLS]:-default}" POOLS "expected NAME:credit2|credit|null|rtds|arinc653:CPUS, found '$p'"
            return 2
        fi
        # shellcheck disable=SC2034 # POOLCPUS is read by name in lab_cpulist
        local POOLNAME=${BASH_REMATCH[1]} POOLCPUS=${BASH_REMATCH[3]}
        LAB_LINE[POOLCPUS]=${LAB_LINE[POOLS]:-}
        lab_cpulist "$f" POOLCPUS || return 2
        pools="$pools$POOLNAME "
    done
    for k in MEDIATOR_POOL CLIENT_POOL NOISE_POOL; do
        [ -z "${!k}" ] && continue
        case $pools in *" ${!k} "*) ;; *)
            lab_params_err "$f" "${LAB_LINE[$k]:-default}" "$k" "no pool '${!k}' (POOLS defines:$pools)"
            return 2 ;;
        esac
    done
    for k in PIN_MEDIATOR PIN_CLIENT PIN_NOISE PIN_DOM0; do lab_cpulist "$f" $k || return 2; done
    for k in WEIGHT_MEDIATOR WEIGHT_CLIENT WEIGHT_NOISE WEIGHT_DOM0; do
        [ -z "${!k}" ] || lab_int "$f" $k 1 65535 || return 2
    done
    for k in CAP_MEDIATOR CAP_CLIENT CAP_NOISE CAP_DOM0; do
        [ -z "${!k}" ] || lab_int "$f" $k 0 6400 || return 2
    done
    [ -z "$RATELIMIT_US" ] || lab_int "$f" RATELIMIT_US 0 500000 || return 2
    [ -z "$TSLICE_MS" ] || lab_int "$f" TSLICE_MS 1 1000 || return 2
    lab_sched_check "$f" || return 2
    lab_xen_config "$f" || return 2
    lab_enum "$f" TRANSPORT none xen smc smc+xen || return 2
    lab_mediator_kind_check "$f" || return 2
    lab_int "$f" TRACE_SECONDS 1 3600 || return 2
    lab_int "$f" TIMEOUT_S 10 86400 || return 2
}

# lab_params_write FILE: every key, defaults included, as a file a POSIX shell can source.
lab_params_write() {
    local k
    for k in $LAB_KEYS; do
        printf "%s='%s'\n" "$k" "${!k}"
    done > "$1"
}

lab_pool_sched() { # POOL: its scheduler (Pool-0: XEN_SCHED)
    local p
    [ "$1" = Pool-0 ] && { echo "$XEN_SCHED"; return; }
    for p in $POOLS; do
        [ "${p%%:*}" = "$1" ] && { p=${p#*:}; echo "${p%%:*}"; return; }
    done
}
lab_pool_ncpus() { # POOL: how many pCPUs POOLS gives it
    local p c n=0 a b
    for p in $POOLS; do
        [ "${p%%:*}" = "$1" ] || continue
        for c in $(echo "${p##*:}" | tr ',' ' '); do
            a=${c%-*} b=${c#*-}
            n=$((n + b - a + 1))
        done
    done
    echo $n
}
# The checks that need the pools' schedulers: null pools hold no more vCPUs than pCPUs, RTDS
# periods and budgets only for domains in an RTDS pool, an ARINC653 schedule only for domains
# in one ARINC653 pool.
lab_sched_check() {
    local f=$1 p name sched ncpu nv who k v dom key rest frame total pool
    for p in $POOLS; do
        name=${p%%:*}
        sched=${p#*:}
        sched=${sched%%:*}
        [ "$sched" = null ] || continue
        ncpu=$(lab_pool_ncpus "$name")
        nv=0 who=''
        [ "${MEDIATOR_POOL:-Pool-0}" = "$name" ] && nv=$((nv + MEDIATOR_VCPUS)) who="$who mediator:$MEDIATOR_VCPUS"
        [ "${CLIENT_POOL:-Pool-0}" = "$name" ] && nv=$((nv + CLIENT_VCPUS)) who="$who client:$CLIENT_VCPUS"
        [ "${NOISE_POOL:-Pool-0}" = "$name" ] && [ "$NOISE_DOMAINS" -gt 0 ] &&
            nv=$((nv + NOISE_DOMAINS * NOISE_VCPUS)) who="$who noise:$((NOISE_DOMAINS * NOISE_VCPUS))"
        if [ "$nv" -gt "$ncpu" ]; then
            lab_params_err "$f" "${LAB_LINE[POOLS]:-default}" POOLS "null pool $name has $ncpu pCPU(s) for $nv vCPU(s) (${who# }): the null scheduler gives each vCPU a pCPU of its own"
            return 2
        fi
    done
    for k in RTDS_MEDIATOR RTDS_CLIENT RTDS_NOISE RTDS_DOM0; do
        v=${!k}
        [ -z "$v" ] && continue
        if [[ ! $v =~ ^([0-9]+):([0-9]+)(:extra)?$ ]]; then
            lab_params_err "$f" "${LAB_LINE[$k]:-default}" "$k" "expected PERIOD_US:BUDGET_US[:extra], found '$v'"
            return 2
        fi
        if [ "${BASH_REMATCH[2]}" -gt "${BASH_REMATCH[1]}" ]; then
            lab_params_err "$f" "${LAB_LINE[$k]:-default}" "$k" "budget ${BASH_REMATCH[2]} us is above the period ${BASH_REMATCH[1]} us"
            return 2
        fi
        if [ "${BASH_REMATCH[2]}" -lt 10 ] || [ "${BASH_REMATCH[1]}" -gt 10000000 ]; then
            lab_params_err "$f" "${LAB_LINE[$k]:-default}" "$k" "expected 10 us <= budget <= period <= 10000000 us, found '$v'"
            return 2
        fi
        case $k in
            RTDS_DOM0) pool=Pool-0 ;;
            *) key=${k#RTDS_}_POOL; pool=${!key:-Pool-0} ;;
        esac
        sched=$(lab_pool_sched "$pool")
        if [ "$sched" != rtds ]; then
            lab_params_err "$f" "${LAB_LINE[$k]:-default}" "$k" "its domain runs in $pool, whose scheduler is $sched, not rtds"
            return 2
        fi
    done
    if [ -n "$ARINC653" ]; then
        if [[ ! $ARINC653 =~ ^([0-9]+):(.+)$ ]]; then
            lab_params_err "$f" "${LAB_LINE[ARINC653]:-default}" ARINC653 "expected MAJOR_FRAME_US:DOMAIN=RUNTIME_US[,DOMAIN=RUNTIME_US...], found '$ARINC653'"
            return 2
        fi
        frame=${BASH_REMATCH[1]} rest=${BASH_REMATCH[2]} total=0 pool=
        for v in ${rest//,/ }; do
            if [[ ! $v =~ ^(mediator|client|noise[0-9]+|Domain-0)(\.[0-9]+)?=([0-9]+)$ ]]; then
                lab_params_err "$f" "${LAB_LINE[ARINC653]:-default}" ARINC653 "expected DOMAIN[.VCPU]=RUNTIME_US (mediator, client, noiseN, Domain-0), found '$v'"
                return 2
            fi
            dom=${BASH_REMATCH[1]}
            total=$((total + BASH_REMATCH[3]))
            case $dom in
                mediator) p=${MEDIATOR_POOL:-Pool-0} ;;
                client) p=${CLIENT_POOL:-Pool-0} ;;
                noise*) p=${NOISE_POOL:-Pool-0} ;;
                *) p=Pool-0 ;;
            esac
            if [ "$(lab_pool_sched "$p")" != arinc653 ]; then
                lab_params_err "$f" "${LAB_LINE[ARINC653]:-default}" ARINC653 "$dom runs in $p, whose scheduler is $(lab_pool_sched "$p"), not arinc653"
                return 2
            fi
            if [ -n "$pool" ] && [ "$pool" != "$p" ]; then
                lab_params_err "$f" "${LAB_LINE[ARINC653]:-default}" ARINC653 "the windows' domains must share one arinc653 pool ($pool and $p)"
                return 2
            fi
            pool=$p
        done
        if [ "$frame" -lt 1 ] || [ "$total" -gt "$frame" ]; then
            lab_params_err "$f" "${LAB_LINE[ARINC653]:-default}" ARINC653 "the windows take $total us, more than the major frame $frame us"
            return 2
        fi
    fi
}

# lab_xen_config [FILE]: which Xen image and command line the scenario needs: the one place
# that maps parameters to them (a runner grouping scenarios by boot reuses it: run.sh --xen).
# Sets LAB_XEN_BUILD (debian | source), LAB_XEN_IMAGE, LAB_XEN_SCHEDULERS (the image's),
# LAB_XEN_NEEDS (the schedulers the scenario asks for) and LAB_XEN_CMDLINE. XEN_BUILD=auto
# takes Debian's binary hypervisor unless a scheduler it lacks is asked for.
LAB_DEBIAN_SCHEDULERS="credit credit2"
LAB_SOURCE_SCHEDULERS="credit credit2 null rtds arinc653"
# shellcheck disable=SC2034 # the LAB_XEN_* variables are read by run.sh
lab_xen_config() {
    local f=${1:-params} p s need=" $XEN_SCHED " lacking='' askedby=XEN_SCHED
    for p in $POOLS; do
        s=${p#*:}
        s=${s%%:*}
        case $need in *" $s "*) ;; *) need="$need$s " ;; esac
    done
    for s in $need; do
        case " $LAB_DEBIAN_SCHEDULERS " in *" $s "*) ;; *)
            lacking="$lacking $s"
            [ "$s" = "$XEN_SCHED" ] || askedby=POOLS ;;
        esac
    done
    need=${need# }
    # shellcheck disable=SC2034 # read by run.sh
    LAB_XEN_NEEDS=${need% }
    case $XEN_BUILD in
        debian)
            if [ -n "$lacking" ]; then
                lab_params_err "$f" "${LAB_LINE[XEN_BUILD]:-default}" XEN_BUILD "Debian's binary Xen has only $LAB_DEBIAN_SCHEDULERS; $askedby asks for${lacking} (use XEN_BUILD=source or auto)"
                return 2
            fi
            LAB_XEN_BUILD=debian ;;
        source) LAB_XEN_BUILD=source ;;
        *) if [ -n "$lacking" ]; then LAB_XEN_BUILD=source; else LAB_XEN_BUILD=debian; fi ;;
    esac
    if [ "$LAB_XEN_BUILD" = source ]; then
        LAB_XEN_IMAGE=$LAB_CACHE/xen-source/xen
        LAB_XEN_SCHEDULERS=$LAB_SOURCE_SCHEDULERS
        if [ -r "$LAB_CACHE/xen-source/info.env" ]; then
            LAB_XEN_SCHEDULERS=$(. "$LAB_CACHE/xen-source/info.env" && echo "$XEN_SOURCE_SCHEDULERS")
        fi
    else
        LAB_XEN_IMAGE=$LAB_CACHE/img/xen
        LAB_XEN_SCHEDULERS=$LAB_DEBIAN_SCHEDULERS
    fi
    LAB_XEN_CMDLINE="dom0_mem=$DOM0_MEM dom0_max_vcpus=$DOM0_VCPUS console=dtuart dtuart=/pl011@9000000 sched=$XEN_SCHED xsm=dummy${XEN_EXTRA:+ $XEN_EXTRA}"
}

# MEDIATOR_KIND: smclat-mediator in a Linux DomU, or smclat-stub (docs/stub.md), which serves
# the ring of the xen and smc+xen transports (the client makes the SMC), on one vCPU.
lab_mediator_kind_check() {
    local f=$1
    lab_enum "$f" MEDIATOR_KIND linux stub || return 2
    [ "$MEDIATOR_KIND" = stub ] || return 0
    if [ "$TRANSPORT" != xen ] && [ "$TRANSPORT" != smc+xen ]; then
        lab_params_err "$f" "${LAB_LINE[MEDIATOR_KIND]:-default}" MEDIATOR_KIND "the stub serves TRANSPORT=xen or smc+xen, found TRANSPORT=$TRANSPORT"
        return 2
    fi
    if [ "$MEDIATOR_VCPUS" != 1 ]; then
        lab_params_err "$f" "${LAB_LINE[MEDIATOR_KIND]:-default}" MEDIATOR_KIND "the stub has one vCPU, found MEDIATOR_VCPUS=$MEDIATOR_VCPUS"
        return 2
    fi
}
