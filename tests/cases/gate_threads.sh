#!/bin/bash
# Threads still running at exit are stopped for the scan and their stacks are roots: a block
# whose only pointer is on such a thread's stack is still reachable — for a thread sleeping in
# pause(), one spinning in user code (never in a system call) and one that blocks every signal
# and sleeps in sigwait, or waits on a condition variable (scanned from the stack pointer the
# kernel reports; never signalled, so a sigwait does not take our stop signal). The program's
# exit status stays 0.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog gate_leaks; require_prog deny_ptrace

# Both ways of stopping threads: ptrace (the first choice) and signals (where ptrace is
# refused: deny_ptrace runs the program under a seccomp filter that refuses it).
for via in traced signals; do
  launcher=(); [ $via = signals ] && launcher=("$TESTBIN/deny_ptrace")
  for scenario in thread spinning sigwait masked; do
    name=$via-$scenario
    gate_run "$name" -- "${launcher[@]}" "$TESTBIN/gate_leaks" "$scenario"
    cat "$name.err" >&2
    assert_eq 0 "$gate_rc" "$name: exit status"
    assert_summary "$name.err" "0 0" "0 0" "0 0" "$name"
    reachable=$(summary_of "$name.err" "still reachable")
    [ "${reachable% *}" -ge 700 ] || fail "$name: the thread's 700-byte block is not still reachable: $reachable"
    grep -q 'did not stop' "$name.err" && fail "$name: a thread was not stopped"
    echo "ok: $name: still reachable $reachable"
  done
done

# A program that keeps creating threads until it exits: every one is stopped or gone, nothing
# a live thread holds is reported, and the process ends with its own status.
cat >churn.c <<'C'
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static void *worker(void *unused)
{
    (void)unused;
    void *volatile mine = malloc(64);
    memset(mine, 1, 64);
    usleep(1000);
    free(mine);
    return NULL;
}
static void *spawner(void *unused)
{
    (void)unused;
    for (;;) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, NULL) == 0)
            pthread_detach(t);
        usleep(200);
    }
    return NULL;
}
int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, spawner, NULL);
    usleep(100000);
    return 0;
}
C
cc -O1 -g -fno-omit-frame-pointer -o churn churn.c -lpthread || fail "cannot build churn.c"
for i in 1 2 3 4 5 6 7 8 9 10; do
  launcher=(); [ $((i % 2)) = 0 ] && launcher=("$TESTBIN/deny_ptrace") # even runs: signals
  gate_run churn$i -- "${launcher[@]}" ./churn
  cat churn$i.err >&2
  assert_eq 0 "$gate_rc" "churn run $i: exit status"
  assert_summary churn$i.err "0 0" "0 0" - "churn run $i"
done
echo "ok: threads"
