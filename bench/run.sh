#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright the Almanac authors.
#
# Runs the benchmarks of bench/ and prints Almanac's ratios against its
# peers, all measured in the same run.
#
#   ./run.sh                 # the working tree
#   REV=HEAD ./run.sh        # a committed revision of the library (the
#                            # current bench/ is copied into an export of it)
#   COUNT=5 BENCHTIME=5x BENCH='Decode$' ./run.sh
#
# Timings on a shared machine are noisy. The test binary is run COUNT
# times, so the libraries alternate (go test -count would run each
# benchmark COUNT times in a row and let a burst of load hit only one of
# them); the summary uses the median and the best (fastest) run of each,
# from wall-clock ns/op and from process CPU time (cpu-ms/op, steadier when
# other work competes for the CPUs).
set -eu
cd "$(dirname "$0")"
COUNT=${COUNT:-3}
BENCHTIME=${BENCHTIME:-3x}
BENCH=${BENCH:-.}

dir=$(pwd)
if [ -n "${REV:-}" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	git -C .. archive "$REV" | tar -x -C "$tmp"
	rm -rf "$tmp/bench"
	mkdir "$tmp/bench"
	tar -c --exclude=./.data --exclude=./out . | tar -x -C "$tmp/bench"
	dir="$tmp/bench"
	echo "# library at $(git -C .. rev-parse --short "$REV"), bench/ from the working tree"
else
	echo "# library and bench/ from the working tree ($(git -C .. rev-parse --short HEAD)$(git -C .. diff --quiet HEAD -- ':!bench' 2>/dev/null || echo ', with local changes'))"
fi

out=$(mktemp)
bin=$(mktemp)
(cd "$dir" && go test -c -o "$bin" .)
i=0
while [ "$i" -lt "$COUNT" ]; do
	i=$((i + 1))
	echo "# round $i of $COUNT"
	(cd "$dir" && "$bin" -test.run '^$' -test.bench "$BENCH" -test.benchmem -test.benchtime="$BENCHTIME" -test.timeout 60m) | tee -a "$out"
done
rm -f "$bin"

echo
echo "# summary (median / best of $COUNT)"
awk '
function median(name,    n, i, j, t, a) {
	n = cnt[name]
	for (i = 1; i <= n; i++) a[i] = v[name, i]
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function best(name,    i, b) {
	b = v[name, 1]
	for (i = 2; i <= cnt[name]; i++) if (v[name, i] < b) b = v[name, i]
	return b
}
function has(name) { return cnt[name] > 0 }
function ratio(label, theirs, ours, target) {
	if (!has(theirs) || !has(ours)) return
	printf "%-44s %6.2fx median  %6.2fx best", label, median(theirs) / median(ours), best(theirs) / best(ours)
	if (has(theirs " cpu") && has(ours " cpu"))
		printf "  | CPU time %6.2fx median", median(theirs " cpu") / median(ours " cpu")
	printf "   (target %s)\n", target
}
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i < NF; i++) {
		if ($(i + 1) == "ns/op") { k = name; cnt[k]++; v[k, cnt[k]] = $i }
		if ($(i + 1) == "peak/input") { k = name " peak/input"; cnt[k]++; v[k, cnt[k]] = $i }
		if ($(i + 1) == "retained/input") { k = name " retained/input"; cnt[k]++; v[k, cnt[k]] = $i }
		if ($(i + 1) == "alloc/input") { k = name " alloc/input"; cnt[k]++; v[k, cnt[k]] = $i }
		if ($(i + 1) == "cpu-ms/op") { k = name " cpu"; cnt[k]++; v[k, cnt[k]] = $i }
		if ($(i + 1) == "MB/s") { k = name " MB/s"; cnt[k]++; v[k, cnt[k]] = -$i }
	}
}
END {
	split("BenchmarkDecode BenchmarkEncode", kinds, " ")
	for (x = 1; x <= 2; x++) {
		for (lib in libs) delete libs[lib]
		n = split("almanac go-ical golang-ical", libs, " ")
		for (y = 1; y <= n; y++) {
			k = kinds[x] "/" libs[y] " MB/s"
			if (has(k)) printf "%-44s %8.1f MB/s median  %8.1f best\n", kinds[x] "/" libs[y], -median(k), -best(k)
		}
	}
	ratio("decode speed, almanac vs go-ical", "BenchmarkDecode/go-ical", "BenchmarkDecode/almanac", ">= 10x")
	ratio("decode speed, almanac vs golang-ical", "BenchmarkDecode/golang-ical", "BenchmarkDecode/almanac", "-")
	ratio("encode speed, almanac vs go-ical", "BenchmarkEncode/go-ical", "BenchmarkEncode/almanac", "-")
	ratio("encode speed, almanac vs golang-ical", "BenchmarkEncode/golang-ical", "BenchmarkEncode/almanac", "-")
	n = split("almanac go-ical golang-ical", libs, " ")
	for (y = 1; y <= n; y++) {
		k = "BenchmarkDecodeMemory/" libs[y]
		if (has(k " peak/input"))
			printf "%-44s peak %5.2fx input, retained %5.2fx input%s\n", "decode memory, " libs[y], median(k " peak/input"), median(k " retained/input"), (libs[y] == "almanac" ? "   (target peak < 3x)" : "")
	}
	ratio("expansion, almanac vs rrule-go", "BenchmarkExpand/rrule-go", "BenchmarkExpand/almanac", ">= 5x")
	ratio("expansion, almanac vs rrule-go-prebuilt", "BenchmarkExpand/rrule-go-prebuilt", "BenchmarkExpand/almanac", "-")
	ratio("expansion, almanac+overrides vs rrule-go", "BenchmarkExpand/rrule-go", "BenchmarkExpand/almanac+overrides", "-")
	ratio("expansion, almanac-iana vs rrule-go", "BenchmarkExpand/rrule-go", "BenchmarkExpand/almanac-iana", "-")
}' "$out"
rm -f "$out"
