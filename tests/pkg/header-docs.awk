# Prints each public call (ds_...) of a header not directly preceded by its doc comment; exits 1 if any.
/^\/\*/ { incomment = 1 }
incomment { if ($0 ~ /\*\//) { incomment = 0; prevcomment = 1; next } ; next }
/^[ \t]*$/ { prevcomment = 0; indecl = 0; next }
/^#/ { prevcomment = 0; next }
indecl { if ($0 ~ /;[ \t]*$/) indecl = 0; next }
/^[a-z][a-z0-9_ *]*[ *]ds_[a-z0-9_]+\(/ && $0 !~ /^typedef/ {
	if (!prevcomment) { print FILENAME ":" FNR ": " $0; bad++ }
	prevcomment = 0
	if ($0 !~ /;[ \t]*$/) indecl = 1
	next
}
{ prevcomment = 0 }
END { exit bad > 0 }
