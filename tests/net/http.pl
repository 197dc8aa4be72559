#!/usr/bin/perl
# A raw HTTP/1.1 client for the control endpoint tests: one request, prints the
# status code on the first line and the body after it. ADDR is a Unix socket path
# (with a '/') or HOST:PORT; a chunked body is joined. Exit 0 when an answer
# came, 3 when none did (or its chunked framing was broken).
#   perl http.pl ADDR METHOD PATH [TOKEN]
#   perl http.pl --answer FILE     (the same for an answer saved in FILE)
use strict;
use warnings;
use IO::Socket::UNIX;
use IO::Socket::INET;

$SIG{PIPE} = "IGNORE";   # a refused connection is closed before our request: read its answer

my $resp;
if (@ARGV == 2 && $ARGV[0] eq '--answer') {
	# an answer another client saved: read from the file, not asked for
	open(my $f, '<', $ARGV[1]) or do { print STDERR "http.pl: $ARGV[1]: $!\n"; exit 3 };
	local $/;
	$resp = <$f> // '';
} else {
	my ($addr, $method, $path, $token) = @ARGV;
	die "usage: http.pl ADDR METHOD PATH [TOKEN] | http.pl --answer FILE\n" unless defined $path;
	my $s = $addr =~ m{/}
		? IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $addr)
		: IO::Socket::INET->new(PeerAddr => $addr, Proto => 'tcp', Timeout => 5);
	$s or do { print STDERR "http.pl: cannot connect to $addr: $!\n"; exit 3 };
	my $req = "$method $path HTTP/1.1\r\nHost: dualsite\r\nConnection: close\r\n";
	$req .= "Authorization: Bearer $token\r\n" if defined $token && length $token;
	$req .= "Content-Length: 0\r\n" if $method eq 'POST';
	print $s "$req\r\n";
	local $/;
	$resp = <$s> // '';
}
my ($head, $body) = split /\r\n\r\n/, $resp, 2;
my ($code) = ($head // '') =~ m{^HTTP/1\.1 (\d{3}) };
defined $code or do { print STDERR "http.pl: no HTTP answer: '$resp'\n"; exit 3 };
if ($head =~ /^Transfer-Encoding: chunked\r?$/mi) {
	# chunked (GET /v1/status): the chunks' data, checked to end with the last chunk
	my ($data, $at) = ('', 0);
	while (1) {
		pos($body) = $at;
		$body =~ /\G([0-9a-fA-F]+)\r\n/g or do {
			print STDERR "http.pl: broken chunk framing at body byte $at\n"; exit 3 };
		my $n = hex $1;
		$at += length($1) + 2;
		last if !$n;
		substr($body, $at + $n, 2) eq "\r\n" or do {
			print STDERR "http.pl: chunk of $n bytes at body byte $at not ended by CRLF\n"; exit 3 };
		$data .= substr($body, $at, $n);
		$at += $n + 2;
	}
	substr($body, $at) eq "\r\n" or do {
		print STDERR "http.pl: bytes after the last chunk\n"; exit 3 };
	$body = $data;
}
print "$code\n", $body // '';
exit 0;
