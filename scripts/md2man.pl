#!/usr/bin/perl
# Turns the project's Markdown docs into man pages (roff -man): `make man` runs it.
#
#   perl scripts/md2man.pl NAME SECTION VERSION DOC.md [MORE.md[#Heading] ...] > NAME.SECTION
#
# The docs are the one source: a page is generated from them at build time and
# never kept in the repository, so the two cannot drift apart. A doc written in
# man-page shape (`## NAME`, `## SYNOPSIS`, ...) keeps its sections; a prose doc
# (`# \`dualsite run\`: the daemon`) gets NAME from its title, SYNOPSIS from its
# first code block before the first `##`, and DESCRIPTION from the rest of that
# part. Each further file's title becomes a section of its own (or, given as
# FILE#Heading, that one `##` section of FILE; FILE@TITLE renames it). Only the
# Markdown the docs use is understood: headings, paragraphs, fenced and
# indented code, lists, definition lists (`:   text`), pipe tables (written as
# tagged paragraphs, which read well at any width), `code`, **bold**, *italic*,
# links (their text) and HTML comments (dropped). Non-ASCII characters become
# groff's \[uXXXX] escapes, so the page is plain ASCII.
use strict;
use warnings;

@ARGV >= 4 or die "usage: md2man.pl NAME SECTION VERSION DOC.md [MORE.md ...]\n";
my ($name, $section, $version, @files) = @ARGV;

my @out;
sub emit { push @out, @_ }

# Text for roff: escapes, then inline markup.
sub esc {
	my ($s) = @_;
	$s =~ s/\\/\\e/g;
	$s =~ s/([^\x00-\x7f])/sprintf('\\[u%04X]', ord($1))/ge;
	return $s;
}

sub inline {
	my ($s) = @_;
	$s =~ s/<!--.*?-->//g;
	$s =~ s/\\\|/|/g;                              # \| of a table cell
	my $r = '';
	# split off code spans first: nothing inside them is markup
	for my $part (split /(`[^`]*`)/, $s) {
		if ($part =~ /^`(.*)`$/) {
			my $c = esc($1);
			$c =~ s/-/\\-/g;
			$r .= "\\fB$c\\fR";
			next;
		}
		my $t = esc($part);
		$t =~ s/\[([^\]]+)\]\(([^)]+)\)/$1/g;           # links: their text
		$t =~ s/\*\*([^*]+)\*\*/\\fB$1\\fR/g;
		$t =~ s/(^|[\s(])\*([^*\s][^*]*)\*/$1\\fI$2\\fR/g;
		$r .= $t;
	}
	return $r;
}

# A line of running text must not start with a control character.
sub textline {
	my ($s) = @_;
	$s =~ s/^\s+//;
	$s = "\\&$s" if $s =~ /^[.']/;
	return $s;
}

sub code_block {
	my (@lines) = @_;
	emit('.PP', '.RS 4', '.nf');
	for my $l (@lines) {
		my $t = esc($l);
		$t =~ s/-/\\-/g;
		$t = "\\&$t" if $t =~ /^[.']/;
		emit($t);
	}
	emit('.fi', '.RE');
}

sub split_row {
	my ($l) = @_;
	$l =~ s/^\s*\|//;
	$l =~ s/\|\s*$//;
	my @c = map { s/^\s+|\s+$//gr } split /(?<!\\)\|/, $l;
	return @c;
}

# A pipe table: one tagged paragraph per row, tagged by its first cell, the
# other cells as "Header: value" lines.
sub table {
	my (@rows) = @_;
	my @head = split_row(shift @rows);
	shift @rows;   # the |---| line
	for my $r (@rows) {
		my @c = split_row($r);
		emit('.TP', textline(inline($c[0])));
		my @lines;
		for my $i (1 .. $#c) {
			next if $c[$i] eq '';
			my $h = $head[$i] // '';
			push @lines, ($h ne '' && @head > 2 ? inline($h) . ': ' : '') . inline($c[$i]);
		}
		emit(textline(join("\n.br\n", @lines))) if @lines;
	}
	emit('.PP');
}

# Body: Markdown lines of one section (or of a whole part) to roff.
sub body {
	my @l = ('', @_);   # a section starts as after a blank line
	my $i = 0;
	my @para;
	my $flush = sub {
		if (@para) {
			emit(textline(inline(join(' ', map { s/^\s+//r } @para))));
			@para = ();
		}
	};
	while ($i < @l) {
		my $x = $l[$i];
		if ($x =~ /^\s*<!--/) {                       # comment, maybe several lines
			$flush->();
			$i++ until $l[$i] =~ /-->/;
			$i++;
			next;
		}
		if ($x =~ /^\s*```/) {
			$flush->();
			my @c;
			$i++;
			while ($i < @l && $l[$i] !~ /^\s*```/) { push @c, $l[$i++]; }
			$i++;
			code_block(@c);
			next;
		}
		if ($x =~ /^\s*$/) {
			$flush->();
			$i++;
			# after a blank line, four spaces start indented code
			if ($i < @l && $l[$i] =~ /^ {4}\S/ && !@para) {
				my @c;
				while ($i < @l && ($l[$i] =~ /^ {4}/ || ($l[$i] =~ /^\s*$/ && $i + 1 < @l && $l[$i + 1] =~ /^ {4}\S/))) {
					push @c, length($l[$i]) >= 4 ? substr($l[$i], 4) : '';
					$i++;
				}
				code_block(@c);
			}
			else {
				emit('.PP') if @out && $out[-1] !~ /^\.(PP|SH|SS|TP|IP)/;
			}
			next;
		}
		if ($x =~ /^###+\s+(.*)/) {
			$flush->();
			emit('.SS ' . inline($1 =~ s/"/\\(dq/gr));
			$i++;
			next;
		}
		if ($x =~ /^\|/ && $i + 1 < @l && $l[$i + 1] =~ /^\|[\s:|-]+\|?\s*$/) {
			$flush->();
			my @t;
			push @t, $l[$i++] while $i < @l && $l[$i] =~ /^\|/;
			table(@t);
			next;
		}
		if ($x =~ /^:\s+(.*)/ && @para) {             # definition: the paragraph is the term
			my @term = @para;
			@para = ();
			emit('.TP', textline(inline(join(' ', @term))));
			my @d = ($1);
			$i++;
			while ($i < @l && $l[$i] =~ /^ {2,}\S/) { push @d, $l[$i++]; }
			emit(textline(inline(join(' ', map { s/^\s+//r } @d))));
			next;
		}
		if ($x =~ /^(\s*)([-*]|\d+\.)\s+(.*)/) {      # a list item and its continuation
			$flush->();
			my ($ind, $mark, $t) = (length($1), $2, $3);
			my @it = ($t);
			$i++;
			while ($i < @l && $l[$i] =~ /^\s{2,}\S/ && $l[$i] !~ /^\s*([-*]|\d+\.)\s/
			       && $l[$i] !~ /^\s*```/) {
				push @it, $l[$i++];
			}
			my $tag = $mark =~ /\d/ ? $mark : '\\(bu';
			emit($ind ? '.RS 2' : ()) ;
			emit(".IP $tag 4", textline(inline(join(' ', map { s/^\s+//r } @it))));
			emit('.RE') if $ind;
			next;
		}
		if ($x =~ /^>\s?(.*)/) {
			$flush->();
			emit('.RS 4', textline(inline($1)), '.RE');
			$i++;
			next;
		}
		push @para, $x;
		$i++;
	}
	$flush->();
}

# Splits a file into its title, the part before the first `##`, and sections.
sub parse {
	my ($file) = @_;
	open(my $f, '<:encoding(UTF-8)', $file) or die "md2man: $file: $!\n";
	my @lines = map { s/\r?\n$//r } <$f>;
	close $f;
	my $title;
	my (@pre, @sec);
	my $cur = \@pre;
	my $fence = 0;
	for my $l (@lines) {
		$fence = !$fence if $l =~ /^\s*```/;
		if (!$fence && !defined $title && $l =~ /^#\s+(.*)/) { $title = $1; next; }
		if (!$fence && $l =~ /^##\s+(.*)/ && $l !~ /^###/) {
			push @sec, [$1, []];
			$cur = $sec[-1][1];
			next;
		}
		push @$cur, $l;
	}
	die "md2man: $file has no '# title' line\n" unless defined $title;
	return ($title, \@pre, \@sec);
}

sub plain { my ($s) = @_; $s =~ s/[`*]//g; $s =~ s/^\s+|\s+$//g; return $s; }

my ($title, $pre, $secs) = parse(shift @files);
my %has = map { uc(plain($_->[0])) => 1 } @$secs;

my $date = $ENV{SOURCE_DATE_EPOCH} ? do {
	my @t = gmtime($ENV{SOURCE_DATE_EPOCH});
	sprintf('%04d-%02d-%02d', $t[5] + 1900, $t[4] + 1, $t[3]);
} : '';
emit(".\\\" Generated by scripts/md2man.pl from the docs. Do not edit: change the doc.");
emit(sprintf('.TH "%s" "%s" "%s" "dualsite %s" "dualsite manual"', uc($name), $section,
	     $date, $version));

# NAME: "NAME \- what it is", from the doc's NAME section or its title.
my $desc;
if ($has{NAME}) {
	my ($s) = grep { uc(plain($_->[0])) eq 'NAME' } @$secs;
	my $t = plain(join(' ', grep { /\S/ } @{$s->[1]}));
	($desc) = $t =~ /\s(?:\x{2014}|--?|:)\s+(.*)$/;
	$desc //= $t;
}
else {
	($desc) = plain($title) =~ /:\s*(.*)$/;
	$desc //= plain($title);
}
emit('.SH NAME', esc($name) =~ s/-/\\-/gr . ' \- ' . esc($desc));

unless ($has{SYNOPSIS}) {
	# a prose doc: its first code block before the first `##` is the synopsis
	my @p = @$pre;
	my ($s, $e);
	for my $k (0 .. $#p) {
		if (!defined $s && $p[$k] =~ /^\s*```/) { $s = $k; next; }
		if (defined $s && $p[$k] =~ /^\s*```/) { $e = $k; last; }
	}
	if (defined $e) {
		emit('.SH SYNOPSIS');
		code_block(@p[$s + 1 .. $e - 1]);
		splice(@p, $s, $e - $s + 1);
	}
	if (grep { /\S/ } @p) {
		emit('.SH DESCRIPTION');
		body(@p);
	}
}
my @last;   # SEE ALSO stays the last section
for my $s (@$secs) {
	my $h = uc(plain($s->[0]));
	next if $h eq 'NAME';
	if ($h eq 'SEE ALSO' && @files) {
		@last = ($s);
		next;
	}
	emit('.SH "' . esc($h) =~ s/"/\\(dq/gr . '"');
	body(@{$s->[1]});
}
# Further files: each one's title is a section, its `##` headings subsections.
# FILE#Heading takes only that `##` section of FILE; FILE@TITLE names the
# section TITLE instead of the file's title.
for my $spec (@files) {
	my ($file, $want, $as) = $spec =~ /^([^#@]*)(?:#([^@]+))?(?:@(.+))?$/;
	my ($t, $p, $ss) = parse($file);
	if (defined $want) {
		my ($s) = grep { plain($_->[0]) eq $want } @$ss;
		die "md2man: $file has no '## $want' section\n" unless $s;
		($t, $p, $ss) = ($s->[0], $s->[1], []);
	}
	my $h = uc($as // plain($t));
	emit('.SH "' . esc($h) =~ s/"/\\(dq/gr . '"');
	body(@$p);
	for my $s (@$ss) {
		emit('.SS "' . esc(plain($s->[0])) =~ s/"/\\(dq/gr . '"');
		body(@{$s->[1]});
	}
}

for my $s (@last) {
	emit('.SH "SEE ALSO"');
	body(@{$s->[1]});
}

# No empty paragraphs: a .PP right before a heading or at the end is noise.
my @clean;
for my $k (0 .. $#out) {
	next if $out[$k] eq '.PP' && ($k == $#out || $out[$k + 1] =~ /^\.(SH|SS|PP|TP|IP)\b/);
	push @clean, $out[$k];
}
binmode(STDOUT, ':encoding(UTF-8)');
print "$_\n" for @clean;
