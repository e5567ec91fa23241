#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright the Almanac authors.
#
# Runs the CalDAV load tool against Almanac, Radicale and Xandikos (Debian's
# packages) in one run, each on a free loopback port with a fresh storage
# directory, then a kill -9 crash test per server, and prints one Markdown
# comparison with Almanac's ratios, the correctness cross-check and the
# targets of the issue.
#
#   ./run.sh                              # 10,000 objects, every server
#   OBJECTS_BIG=100000 ./run.sh           # plus Almanac at 100,000 objects
#   SERVERS="almanac radicale" OPS=100 DURATION=2s CRASH=0 ./run.sh
#
# Environment: OBJECTS (10000), OBJECTS_BIG (unset: no scaling run), CLIENTS
# (4), OPS (200, per timed scenario), DURATION (3s, per timed scenario),
# SEED (1), SERVERS ("almanac radicale xandikos"), CRASH (1: run the crash
# test), CRASH_AFTER (seconds of PUT load before the kill, 5), LOAD (1; 0
# skips the timed runs, for a crash test alone), OUT (where
# the JSON reports and the table are kept, out/load), ALMANAC (a prebuilt
# binary; default: built from the working tree).
#
# Every server is started by this script and killed when it exits, and the
# temporary directories are removed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
OBJECTS=${OBJECTS:-10000}
CLIENTS=${CLIENTS:-4}
OPS=${OPS:-200}
DURATION=${DURATION:-3s}
SEED=${SEED:-1}
SERVERS=${SERVERS:-almanac radicale xandikos}
CRASH=${CRASH:-1}
CRASH_AFTER=${CRASH_AFTER:-5}
OUT=${OUT:-$here/../out/load}

work=$(mktemp -d /tmp/almanac-load.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do
		kill -9 "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"

say() { echo "# $*" >&2; }

# Tools.
mkdir "$work/bin"
load="$work/bin/load"
(cd "$here/.." && go build -o "$load" ./load)
case " $SERVERS " in *" radicale "* | *" xandikos "*)
	if ! command -v radicale >/dev/null || ! command -v xandikos >/dev/null; then
		say "installing radicale and xandikos"
		apt-get install -y --no-install-recommends radicale xandikos >&2
	fi ;;
esac
versions=""
case " $SERVERS " in *" radicale "*)
	v=$(radicale --version)
	[ "$v" = 3.1.8 ] || say "warning: Radicale $v, the targets are stated against 3.1.8"
	versions="$versions Radicale $v;" ;;
esac
case " $SERVERS " in *" xandikos "*)
	versions="$versions Xandikos $(dpkg-query -W -f '${Version}' xandikos 2>/dev/null || echo '?');" ;;
esac
case " $SERVERS " in *" almanac "*)
	if [ -n "${ALMANAC:-}" ]; then
		almanac=$ALMANAC
	else
		almanac="$work/bin/almanac"
		(cd "$root" && go build -o "$almanac" ./cmd/almanac)
	fi
	versions="$versions Almanac $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- ':!bench' 2>/dev/null || echo '+local changes');" ;;
esac

# start NAME DIR: starts a server with its storage in DIR and sets pid,
# url and auth (the load tool's -user/-password flags).
start() {
	mkdir -p "$2"
	port=$("$load" -free-port)
	case $1 in
	almanac)
		if [ ! -e "$2/data" ]; then
			mkdir -p "$2/data"
			echo load-password | "$almanac" user add load --password-stdin --data "$2/data" >/dev/null 2>&1
		fi
		"$almanac" serve --listen "127.0.0.1:$port" --data "$2/data" >>"$2/log" 2>&1 &
		pid=$!
		url="http://127.0.0.1:$port/dav/calendars/load/bench/"
		auth="-user load -password load-password" ;;
	radicale)
		mkdir -p "$2/data"
		cat >"$2/config" <<-EOF
			[server]
			hosts = 127.0.0.1:$port
			[auth]
			type = none
			[storage]
			filesystem_folder = $2/data/collections
			[logging]
			level = warning
		EOF
		radicale --config "$2/config" >>"$2/log" 2>&1 &
		pid=$!
		url="http://127.0.0.1:$port/load/bench/"
		auth="-user load -password x" ;;
	xandikos)
		xandikos -d "$2/data" -l 127.0.0.1 -p "$port" --defaults >>"$2/log" 2>&1 &
		pid=$!
		url="http://127.0.0.1:$port/user/calendars/calendar/"
		auth="" ;;
	esac
	pids="$pids $pid"
	"$load" -url "$url" -wait 30s || say "$1: not answering on $url"
}

stop() {
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# mk NAME: whether the collection must be created (Xandikos --defaults
# already has one).
mk() { [ "$1" = xandikos ] || echo -mkcalendar; }

list=""
[ "${LOAD:-1}" = 1 ] || SERVERS_LOAD=""
for s in ${SERVERS_LOAD-$SERVERS}; do
	say "$s: $OBJECTS objects"
	start "$s" "$work/$s"
	# shellcheck disable=SC2046,SC2086
	"$load" -url "$url" $auth $(mk "$s") -name "$s" -objects "$OBJECTS" -clients "$CLIENTS" -ops "$OPS" \
		-duration "$DURATION" -seed "$SEED" -pid "$pid" -data "$work/$s/data" -json >"$OUT/$s.json" || say "$s: the load tool failed"
	stop
	list="$list,$s=$OUT/$s.json"
done

big=""
if [ -n "${OBJECTS_BIG:-}" ] && [ -n "${almanac:-}" ]; then
	say "almanac: $OBJECTS_BIG objects"
	start almanac "$work/almanac-big"
	# shellcheck disable=SC2086
	"$load" -url "$url" $auth -mkcalendar -name almanac -objects "$OBJECTS_BIG" -clients "$CLIENTS" -ops "$OPS" \
		-duration "$DURATION" -seed "$SEED" -pid "$pid" -data "$work/almanac-big/data" -json >"$OUT/almanac-big.json" || say "almanac-big: the load tool failed"
	stop
	big="-big $OUT/almanac-big.json"
fi

crash=""
if [ "$CRASH" = 1 ]; then
	for s in $SERVERS; do
		say "$s: crash test (kill -9 after ${CRASH_AFTER}s of PUT load)"
		start "$s" "$work/crash-$s"
		# shellcheck disable=SC2046,SC2086
		"$load" -url "$url" $auth $(mk "$s") -clients "$CLIENTS" -seed "$SEED" -duration 120s -crash-test "$work/acked-$s" &
		lpid=$!
		sleep "$CRASH_AFTER"
		kill -9 "$pid"
		wait "$pid" 2>/dev/null || true
		wait "$lpid" || say "$s: the crash test failed"
		start "$s" "$work/crash-$s"
		# shellcheck disable=SC2086
		"$load" -url "$url" $auth -clients "$CLIENTS" -crash-verify "$work/acked-$s" -json >"$OUT/crash-$s.json" || say "$s: acknowledged writes were lost"
		stop
		crash="$crash,$s=$OUT/crash-$s.json"
	done
fi

[ -n "$list" ] || exit 0
{
	echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores:$versions"
	echo
	# shellcheck disable=SC2086
	"$load" -compare "${list#,}" $big ${crash:+-crash ${crash#,}}
} | tee "$OUT/table.md"
