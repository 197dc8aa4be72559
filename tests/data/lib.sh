# Shared by the data-driven suites (sourced by tests/data/SUITE/run.sh after
# it sets `suite`): a temporary directory, the counters, check(), need() and
# finish(). A suite counts its cases and fails when it ran none, so a suite
# whose cases all went missing cannot pass.
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
cases=0

check() { # label, expected file, actual file, expected exit, actual exit
	if [ "$4" = "$5" ] && cmp -s "$2" "$3"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $suite/$1: exit $5 (expected $4)"
		diff -u "$2" "$3" | sed 's/^/    /'
	fi
}

need() { # case label, directory, file...: a missing file fails the case (never a skip)
	_label=$1 _dir=$2
	shift 2
	for _f in "$@"; do
		if [ ! -e "$_dir/$_f" ]; then
			fail=$((fail + 1))
			echo "FAIL $suite/$_label: the case has no $_f"
			return 1
		fi
	done
}

finish() { # the counts; fails on any failure and when no case ran
	echo "$suite: $cases cases, $pass checks passed, $fail failed"
	if [ "$cases" -eq 0 ]; then
		echo "FAIL $suite: no case ran"
		return 1
	fi
	[ "$fail" -eq 0 ]
}
