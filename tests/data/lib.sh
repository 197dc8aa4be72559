# Shared by the data-driven suites (sourced by tests/data/SUITE/run.sh after
# it sets `suite`): a temporary directory, the counters, and check().
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

check() { # label, expected file, actual file, expected exit, actual exit
	if [ "$4" = "$5" ] && cmp -s "$2" "$3"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $suite/$1: exit $5 (expected $4)"
		diff -u "$2" "$3" | sed 's/^/    /'
	fi
}
