# Sourced by the benchmarks (sh or bash): the check of a smoke run. A smoke
# run (tiny sizes, `make bench-smoke`) judges no timing; it only proves the
# benchmark still runs to its end and prints its figures.

# figures LABEL VALUE...: exit 1, naming LABEL, unless every VALUE is a
# number (digits, a decimal point, a sign).
figures() {
	_label=$1
	shift
	for _v in "$@"; do
		case $_v in
		'' | *[!0-9.+-]* | *[!0-9]) ;;
		*) continue ;;
		esac
		echo "bench smoke: $_label: '$_v' is not a figure (values: $*)" >&2
		exit 1
	done
	echo "bench smoke: $_label: figures present"
}
