/*
 * deny_ptrace PROGRAM ARGS...: runs PROGRAM where ptrace fails with EPERM, as in a container
 * whose seccomp profile forbids it: a seccomp filter (inherited across exec) that refuses the
 * ptrace system call and allows everything else. The leak gate must then stop threads with
 * signals (gate/stop_world.c).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: deny_ptrace PROGRAM ARGS...\n");
        return 2;
    }
    struct sock_filter filter[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {sizeof filter / sizeof filter[0], filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
        perror("deny_ptrace: seccomp");
        return 2;
    }
    execvp(argv[1], argv + 1);
    perror("deny_ptrace: exec");
    return 127;
}
