#!/usr/bin/perl
# Reads one JSON document on stdin and prints the value at each PATH given
# (a/b/0/c: object keys and array indexes), one a line: strings as they are,
# null as "null", true/false as 1/0, objects and arrays as compact JSON. A
# missing path prints "MISSING". Exit 2 when stdin is not JSON.
use strict;
use warnings;
use JSON::PP;

local $/;
my $doc = eval { JSON::PP->new->decode(scalar <STDIN>) };
defined $doc or do { print STDERR "json.pl: not JSON: $@"; exit 2 };
for my $path (@ARGV) {
	my $v = $doc;
	my $ok = 1;
	for my $k (split m{/}, $path) {
		if (ref $v eq 'HASH' && exists $v->{$k}) { $v = $v->{$k} }
		elsif (ref $v eq 'ARRAY' && $k =~ /^\d+$/ && $k < @$v) { $v = $v->[$k] }
		else { $ok = 0; last }
	}
	if (!$ok) { print "MISSING\n" }
	elsif (!defined $v) { print "null\n" }
	elsif (JSON::PP::is_bool($v)) { print $v ? "1\n" : "0\n" }
	elsif (ref $v) { print JSON::PP->new->canonical->encode($v), "\n" }
	else { print "$v\n" }
}
