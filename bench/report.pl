#!/usr/bin/perl
# bench/report.pl RESULTS_DIR: the tables bench/run prints, in Markdown, from the
# lines its tools wrote (RESULT, OTPD, ENROLL, FSYNC) and the profiles it took.
use strict;
use warnings;

my $dir = shift or die "usage: report.pl RESULTS_DIR\n";
my (%runs, %otpd, @enroll, @fsync, %fsync_run, @order, %seen_t, %bus);
my @secure_peers = ('ga', 'oath-file');
my %title = (
  'permit'        => 'pam_permit (floor)',
  'ga'            => 'google-authenticator, DISALLOW_REUSE',
  'oath-file'     => 'pam_oath, one file per user',
  'oath-shared'   => 'pam_oath, one shared file',
  'otpd'          => 'otpd (pam_otp.so)',
  'otpd-nopasswd' => 'otpd, users not in NSS',
);

sub median {
  my @v = sort { $a <=> $b } @_;
  return 0 unless @v;
  my $m = int(@v / 2);
  return @v % 2 ? $v[$m] : ($v[$m - 1] + $v[$m]) / 2;
}
sub sum { my $s = 0; $s += $_ for @_; return $s; }
sub max { my $m = 0; for (@_) { $m = $_ if $_ > $m } return $m; }
sub fmt_rate { my $v = shift; return $v >= 100 ? sprintf('%s', commify(sprintf('%.0f', $v))) : sprintf('%.1f', $v); }
sub commify { my $n = reverse shift; $n =~ s/(\d{3})(?=\d)/$1,/g; return scalar reverse $n; }

open my $in, '<', "$dir/results.tsv" or die "no $dir/results.tsv\n";
while (<$in>) {
  chomp;
  my @f = split /\t/;
  if ($f[0] eq 'RESULT') {
    my ($label, $t) = @f[1, 2];
    push @order, $label unless grep { $_ eq $label } @order;
    $seen_t{$t} = 1;
    push @{ $runs{$label}{$t} }, {
      attempts => $f[3], ok => $f[4], failed => $f[5], elapsed => $f[6], aps => $f[7], sps => $f[8],
      p50 => $f[9], p90 => $f[10], p99 => $f[11], max => $f[12],
      rtried => $f[13], raccepted => $f[14], rexpired => $f[15], breakdown => $f[16],
      cpu => $f[17] + $f[18], rep => $f[19] };
  } elsif ($f[0] eq 'OTPD') {
    push @{ $otpd{$f[1]}{$f[2]} }, { cpu => $f[4], bus => $f[5], idle => $f[6], after => $f[7], hwm => $f[8] };
  } elsif ($f[0] eq 'ENROLL') {
    push @enroll, [@f[1 .. 10]];
  } elsif ($f[0] eq 'FSYNC') {
    push @fsync, [@f[1 .. 7]];
  } elsif ($f[0] eq 'BUS') {
    $bus{ $f[1] } = { count => $f[2], mean => $f[3], p50 => $f[4], p99 => $f[5] };
  }
}
close $in;
if (open my $fr, '<', "$dir/fsync-per-run.tsv") {
  while (<$fr>) { chomp; my @f = split /\t/; push @{ $fsync_run{$f[0]}{$f[1]} }, $f[7]; }
}
my @threads = sort { $a <=> $b } keys %seen_t;

sub stat_of {  # median of a field over the repetitions of (label, T)
  my ($label, $t, $field) = @_;
  return median(map { $_->{$field} } @{ $runs{$label}{$t} || [] });
}
sub total_of { my ($label, $t, $field) = @_; return sum(map { $_->{$field} } @{ $runs{$label}{$t} || [] }); }

my $machine = -r "$dir/machine.txt" ? do { local (@ARGV, $/) = "$dir/machine.txt"; <> } : '';
chomp $machine;
my $reps = max(map { scalar @{ $runs{$order[0]}{$_} || [] } } @threads) || 1;
print "## Results\n\n$machine\n\n";
print "Successful logins per second (median of $reps), latency of the whole PAM transaction, failed legitimate logins and replays accepted (all repetitions):\n\n";
print '| module | ' . join(' | ', map { "T=$_ ok/s" } @threads) . ' | p50 T=1 | p99 T=' . $threads[-1] .
  " | failed | replays accepted |\n";
print '| --- ' x (@threads + 5) . "|\n";
for my $label (@order) {
  my @cells = map { fmt_rate(stat_of($label, $_, 'sps')) } @threads;
  my ($failed, $attempts, $racc, $rtried) = (0, 0, 0, 0);
  for my $t (@threads) {
    $failed += total_of($label, $t, 'failed'); $attempts += total_of($label, $t, 'attempts');
    $racc += total_of($label, $t, 'raccepted'); $rtried += total_of($label, $t, 'rtried');
  }
  my $fail_text = $failed ? sprintf('%d (%.0f%%)', $failed, 100 * $failed / $attempts) : '0';
  my $replay_text = $rtried ? sprintf('%d of %d', $racc, $rtried) : 'n/a';
  $replay_text = "**$replay_text**" if $racc;
  printf "| %s | %s | %.2f ms | %.2f ms | %s | %s |\n", $title{$label} // $label, join(' | ', @cells),
    stat_of($label, $threads[0], 'p50'), stat_of($label, $threads[-1], 'p99'), $fail_text, $replay_text;
}

# Ratios against the best secure peer: google-authenticator or pam_oath with a file
# per user, whichever did more, provided it failed no login and accepted no replay.
for my $label (grep { /^otpd/ } @order) {
  print "\n" . ($title{$label} // $label) . " against the best secure peer in this run:\n\n";
  print "| T | otpd ok/s | best secure peer | ratio | target |\n| --- | --- | --- | --- | --- |\n";
  for my $t (@threads) {
    my ($best, $best_rate) = ('', 0);
    for my $peer (@secure_peers) {
      next unless $runs{$peer}{$t};
      next if total_of($peer, $t, 'raccepted') || total_of($peer, $t, 'failed');
      my $rate = stat_of($peer, $t, 'sps');
      ($best, $best_rate) = ($peer, $rate) if $rate > $best_rate;
    }
    next unless $best_rate;
    my $target = $t == 1 ? 1.0 : $t == 2 ? 1.5 : $t == 8 ? 2.0 : undef;
    my $ratio = stat_of($label, $t, 'sps') / $best_rate;
    printf "| %d | %s | %s (%s) | %.2f× | %s |\n", $t, fmt_rate(stat_of($label, $t, 'sps')), fmt_rate($best_rate),
      $best, $ratio, defined $target ? sprintf('%.1f× %s', $target, $ratio >= $target ? 'met' : '**not met**') : '-';
    if ($t == $threads[-1]) {
      my ($p99, $peer_p99) = (stat_of($label, $t, 'p99'), stat_of($best, $t, 'p99'));
      printf "\np99 at T=%d: %.2f ms against %.2f ms (%s): %s (target: at most half).\n", $t, $p99, $peer_p99, $best,
        $p99 <= $peer_p99 / 2 ? 'met' : '**not met**';
    }
  }
}

print "\n### Every run (medians of $reps)\n\n";
print "| module | T | attempts/s | ok/s | failed | p50 | p90 | p99 | max | replays | fdatasync p50 | CPU/login: harness | otpd | dbus-daemon |\n";
print '| --- ' x 14 . "|\n";
for my $label (@order) {
  for my $t (@threads) {
    next unless $runs{$label}{$t};
    my $per_login = sub { my ($seconds, $logins) = @_; return $logins ? sprintf('%.3f ms', 1000 * $seconds / $logins) : '-'; };
    my @o = @{ $otpd{$label}{$t} || [] };
    my $attempts = stat_of($label, $t, 'attempts');
    my $breakdown = join(' ', map { $_->{breakdown} } @{ $runs{$label}{$t} });
    my $failed = total_of($label, $t, 'failed');
    printf "| %s | %d | %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %d/%d | %s | %s | %s | %s |\n",
      $label, $t, fmt_rate(stat_of($label, $t, 'aps')), fmt_rate(stat_of($label, $t, 'sps')),
      $failed ? "$failed (PAM code:count $breakdown)" : 0,
      map({ stat_of($label, $t, $_) } qw(p50 p90 p99 max)),
      total_of($label, $t, 'raccepted'), total_of($label, $t, 'rtried'),
      @{ $fsync_run{$label}{$t} || [] } ? sprintf('%.2f ms', median(@{ $fsync_run{$label}{$t} }) / 1000) : '-',
      $per_login->(stat_of($label, $t, 'cpu'), $attempts),
      @o ? $per_login->(median(map { $_->{cpu} } @o), $attempts) : '-',
      @o ? $per_login->(median(map { $_->{bus} } @o), $attempts) : '-';
  }
}
print "\nLatencies in ms. CPU per login: user + system time of the process over the run, divided by the attempts. fdatasync p50: a 20-write probe of the temp dir's disk just before the run (the disk's flush latency changes over time on a shared VM).\n";

if (%otpd) {
  my (@idle, @after, @hwm);
  for my $label (grep { /^otpd/ } keys %otpd) {
    for my $t (keys %{ $otpd{$label} }) {
      for my $o (@{ $otpd{$label}{$t} }) { push @idle, $o->{idle}; push @after, $o->{after}; push @hwm, $o->{hwm}; }
    }
  }
  print "\n### otpd's memory\n\n";
  printf "Resident (VmRSS) idle after start with the users imported: %.1f MiB (median); after a run: %.1f MiB (median); peak (VmHWM) over all login runs: %.1f MiB.\n",
    median(@idle) / 1024, median(@after) / 1024, max(@hwm) / 1024 if @idle;
  if (my ($e) = @{ $otpd{enroll}{'-'} || [] }) {
    printf "Enrollment run: %.1f MiB idle, %.1f MiB after, peak %.1f MiB.\n", $e->{idle} / 1024, $e->{after} / 1024, $e->{hwm} / 1024;
  }
}

if (@enroll) {
  print "\n### Enrollment API (Unix socket, one connection per request, as root with X-OTP-User)\n\n";
  print "| route | clients | done | failed | per second | p50 | p90 | p99 | max |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for my $e (@enroll) {
    my ($mode, $c, $ops, $failed, $elapsed, $rate, $p50, $p90, $p99, $max) = @$e;
    printf "| %s | %d | %d | %d | %.1f | %.2f ms | %.2f ms | %.2f ms | %.2f ms |\n",
      $mode eq 'enable' ? 'enable (secret + QR PNG)' : 'confirm (10 backup codes)', $c, $ops, $failed, $rate, $p50, $p90, $p99, $max;
  }
}

if (open my $cf, '<', "$dir/contention.tsv") {
  while (<$cf>) {
    my @f = split /\t/;
    next unless $f[0] eq 'RESULT';
    printf "\nLogins (T=1, users not in NSS) while confirms run back to back on another connection: %d logins in %.1f s, %d failed; p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms. The confirms hash their backup codes on otpd's worker threads, not on the loop that answers the logins.\n",
      $f[3], $f[6], $f[5], @f[9 .. 12];
  }
}

if (@fsync) {
  print "\n### What a durable write costs here\n\n| pattern | count | mean | p50 | p90 | p99 | max |\n| --- | --- | --- | --- | --- | --- | --- |\n";
  my %what = (append => 'append 4 KiB + fdatasync', overwrite => 'overwrite 4 KiB in place + fdatasync (SQLite WAL, steady state)',
              newfile => 'new file + fsync + rename (google-authenticator, pam_oath)');
  printf "| %s | %d | %.0f µs | %.0f µs | %.0f µs | %.0f µs | %.0f µs |\n", $what{ $_->[0] } // $_->[0], @{$_}[1 .. 6] for @fsync;
}

sub callgrind_total {
  my $file = shift;
  return undef unless -r $file;
  for (`callgrind_annotate --threshold=100 "$file" 2>/dev/null`) {
    if (/^([\d,]+)\s.*PROGRAM TOTALS/) { (my $v = $1) =~ s/,//g; return $v; }
  }
  return undef;
}

# callgrind: per-login instructions and the top functions by inclusive cost.
my %profile_logins;
if (open my $pf, '<', "$dir/profile.tsv") {
  while (<$pf>) { my @f = split /\t/; $profile_logins{ $f[1] } = $f[3] if $f[0] eq 'RESULT'; }
}
my @profiles = (
  ['callgrind.otpd.out.1', 'otpd, users not in NSS (counters zeroed once ready, dumped after the logins)', 'otpd-callgrind'],
  ['callgrind.otpd-passwd.out.1', 'otpd, the bench users in /etc/passwd', 'otpd-passwd-callgrind'],
  ['callgrind.dbus-daemon.out.1', 'dbus-daemon (zeroed once otpd was ready)', 'otpd-callgrind'],
  ['callgrind.pam_bench-otpd.out', 'the harness process with pam_otp.so (libpam + module + client side of the bus)', 'otpd-callgrind'],
  ['callgrind.pam_bench-ga.out', 'the harness process with pam_google_authenticator.so', 'ga-callgrind'],
);
my $printed_header = 0;
for my $p (@profiles) {
  my ($file, $what, $label) = @$p;
  next unless -r "$dir/$file" && $profile_logins{$label};
  my $n = $profile_logins{$label};
  my @lines = `callgrind_annotate --inclusive=yes --threshold=100 "$dir/$file" 2>/dev/null`;
  my ($total) = map { /^([\d,]+)\s.*PROGRAM TOTALS/ ? $1 : () } @lines;
  next unless $total;
  (my $plain = $total) =~ s/,//g;
  unless ($printed_header++) {
    print "\n### Instructions per login (callgrind, T=1)\n";
  }
  printf "\n%s, %d logins: %s instructions per login. Top functions by inclusive cost (instructions per login):\n\n```\n", $what, $n, commify(sprintf('%.0f', $plain / $n));
  my $shown = 0;
  for (@lines) {
    next unless /^\s*([\d,]+)\s+(?:\([\s\d.%]+\)\s+)?(\S.*)$/;
    my ($ir, $fn) = ($1, $2);
    next if $fn =~ /PROGRAM TOTALS/;
    (my $v = $ir) =~ s/,//g;
    next if $v > 0.97 * $plain;  # the call chain down from main
    $fn =~ s/^\S*?:(?=[^:])//;  # drop the file name, keep the function
    $fn = substr($fn, 0, 110);
    printf "%12s  %s\n", commify(sprintf('%.0f', $v / $n)), $fn;
    last if ++$shown == 25;
  }
  print "```\n";
}

if (%bus) {
  my %probe_n;
  if (open my $pf, '<', "$dir/profile.tsv") {
    while (<$pf>) { my @f = split /\t/; $probe_n{ $f[1] } = $f[2] if $f[0] eq 'BUS'; }
  }
  print "\n### The bus operations of one login, each alone\n\n";
  print "One pam_otp.so login = 1 connect + 2 driver calls + 1 Verify (which adds otpd's own GetConnectionCredentials round trip and the database transaction).\n\n";
  print "| operation | wall time p50 | p99 | dbus-daemon instructions per operation | otpd instructions per operation |\n| --- | --- | --- | --- | --- |\n";
  my %dump = (connect => 2, driver => 3, verify => 4);
  my %what = (connect => 'connect + Hello + close', driver => 'driver call (GetNameOwner)', verify => 'Verify, user not enrolled (no write)');
  for my $op (qw(connect driver verify)) {
    next unless $bus{$op};
    my $n = $probe_n{$op};
    my $dbus = $n ? callgrind_total("$dir/callgrind.dbus-daemon.out.$dump{$op}") : undef;
    my $otpd_ir = ($n && $op eq 'verify') ? callgrind_total("$dir/callgrind.otpd.out.2") : undef;
    printf "| %s | %.0f µs | %.0f µs | %s | %s |\n", $what{$op}, $bus{$op}{p50}, $bus{$op}{p99},
      defined $dbus ? commify(sprintf('%.0f', $dbus / $n)) : '-', defined $otpd_ir ? commify(sprintf('%.0f', $otpd_ir / $n)) : '-';
  }
}

for my $f (['perf-trace.otpd.txt', "otpd's system calls during the T=1 profile run (perf trace -s; times in ms)"],
           ['perf-comm.txt', 'CPU samples per process during otpd at T=8 (perf record -a, cpu-clock)'],
           ['perf-otpd.txt', "otpd's own CPU samples at T=8, by library and symbol"]) {
  next unless -s "$dir/$f->[0]";
  print "\n### $f->[1]\n\n```\n";
  open my $t, '<', "$dir/$f->[0]";
  my $lines = 0;
  while (<$t>) { next if /^\s*$/; print; last if ++$lines == 40; }
  print "```\n";
}
