#!/bin/bash
# top's options agree with pprof's: -n, --cum, --focus, --ignore, --base (a base
# subtracted sample by sample, negative values included).
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
have_go || skip "go tool pprof not installed"
cd_fixtures
f=go_heap_4.pb.gz
same_as_pprof "-n 5" -top -nodecount=5 "$f" -- top -n 5 "$f"
same_as_pprof "--cum" -top -cum "$f" -- top --cum "$f"
same_as_pprof "--cum alloc" -top -cum -sample_index=alloc_objects "$f" -- top --cum --sample-index=alloc_objects "$f"
same_as_pprof "--focus" -top -focus=main "$f" -- top --focus main "$f"
same_as_pprof "--ignore" -top -ignore='runtime|sync' "$f" -- top --ignore 'runtime|sync' "$f"
same_as_pprof "--ignore all" -top -ignore=runtime "$f" -- top --ignore runtime "$f"
same_as_pprof "--focus --ignore" -top -focus=crc32 -ignore=Once "$f" -- top --focus crc32 --ignore Once "$f"
same_as_pprof "--base" -top -base go_heap_1.pb.gz "$f" -- top --base go_heap_1.pb.gz "$f"
same_as_pprof "--base reversed" -top -base "$f" go_heap_1.pb.gz -- top --base "$f" go_heap_1.pb.gz
same_as_pprof "--base alloc_objects" -top -sample_index=0 -base go_heap_3.pb.gz "$f" \
  -- top --sample-index=0 --base go_heap_3.pb.gz "$f"
same_as_pprof "--base itself" -top -base "$f" "$f" -- top --base "$f" "$f"
same_as_pprof "negative values" -top -nodefraction=0 edge/zero_negative.pb -- top --nodefraction 0 edge/zero_negative.pb
# libleak's profiles carry comments and durations: with a base, pprof's merged header.
same_as_pprof "libleak --base" -top -base libleak_demo_1.pb.gz libleak_demo_4.pb.gz -- top --base libleak_demo_1.pb.gz libleak_demo_4.pb.gz
same_as_pprof "libleak --base reversed" -top -base libleak_demo_4.pb.gz libleak_demo_1.pb.gz -- top --base libleak_demo_4.pb.gz libleak_demo_1.pb.gz
same_as_pprof "cpu --cum -n 3" -top -cum -nodecount=3 go_cpu.pb.gz -- top --cum -n 3 go_cpu.pb.gz
