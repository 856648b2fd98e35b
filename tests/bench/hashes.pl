# hashes.pl [KEYS [ROUNDS]]: the "real program nobody here wrote" of the benchmark is perl itself,
# built by Debian with the system malloc (usemymalloc=n). This script only drives it: each round
# builds a hash of KEYS keys (default 200 000) whose values are small arrays and strings, inverts it into a
# second hash, then drops both, so the interpreter's own allocations (SVs, hash entries,
# bucket arrays, string buffers) churn through malloc and free.
use strict;
use warnings;

my $keys = shift // 200_000;
my $rounds = shift // 1;
my $total = 0;
for my $r (1 .. $rounds) {
    my %h;
    for my $i (1 .. $keys) {
        $h{"k$r.$i"} = [ $i, "v" x (1 + $i % 40), { n => $i } ];
    }
    my %inv;
    while (my ($k, $v) = each %h) {
        $inv{ $v->[1] . $v->[0] } = $k;
    }
    $total += scalar(keys %inv);
}
print "$total\n" if $total == 1;
