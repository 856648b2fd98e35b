/*
 * namespaces — unshare and setns, interposed so that a single-threaded program can still
 * enter a user namespace (or another mount namespace) under libleak.
 *
 * The kernel refuses unshare(CLONE_NEWUSER) and setns into a user or mount namespace to a
 * process with more than one thread (EINVAL): libleak's dumper thread alone would make every
 * unshare -U, bwrap or sandboxing zygote fail. Around those calls the dumper is stopped and
 * started again afterwards (dump.c); other calls pass straight through. syscall(2) is
 * interposed too, for programs that make these calls through it (where libc had no wrapper):
 * only SYS_unshare and SYS_setns are looked at, everything else is forwarded as it came. Not
 * covered: the system call made with inline assembly, which no interposition can see.
 * clone(CLONE_NEWUSER) needs no care (the new process has one thread), and a child of vfork is
 * a process of its own, already single-threaded (dump.c then leaves the dumper alone).
 */
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dump/dump.h"
#include "core/export.h"

/* Flags whose namespace the kernel lets only a single-threaded process enter. */
#define UNSHARE_NEEDS_ONE_THREAD (CLONE_NEWUSER | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)
#define SETNS_NEEDS_ONE_THREAD   (CLONE_NEWUSER | CLONE_NEWNS)

typedef long (*syscall_function)(long, long, long, long, long, long, long);

static int (*next_unshare)(int);
static int (*next_setns)(int, int);
static syscall_function next_syscall;

/* Called from the constructor, so that the interposed calls need no dlsym (loader lock). */
void libleak_namespaces_init(void)
{
    next_unshare = (int (*)(int))dlsym(RTLD_NEXT, "unshare");
    next_setns = (int (*)(int, int))dlsym(RTLD_NEXT, "setns");
    next_syscall = (syscall_function)dlsym(RTLD_NEXT, "syscall");
}

/* The next syscall(2) in line; before the constructor (another library's constructor may call
   it first) it is looked up on the spot. */
static syscall_function find_next_syscall(void)
{
    syscall_function next = __atomic_load_n(&next_syscall, __ATOMIC_RELAXED);
    if (!next) {
        next = (syscall_function)dlsym(RTLD_NEXT, "syscall");
        __atomic_store_n(&next_syscall, next, __ATOMIC_RELAXED);
    }
    return next;
}

static bool unshare_needs_one_thread(long flags)
{
    return flags & UNSHARE_NEEDS_ONE_THREAD;
}

/* type 0 means "any kind": it may be a user or mount namespace. */
static bool setns_needs_one_thread(long type)
{
    return type == 0 || (type & SETNS_NEEDS_ONE_THREAD);
}

static int call_unshare(int flags)
{
    return next_unshare ? next_unshare(flags) : (int)find_next_syscall()(SYS_unshare, flags, 0, 0, 0, 0, 0);
}

static int call_setns(int fd, int type)
{
    return next_setns ? next_setns(fd, type) : (int)find_next_syscall()(SYS_setns, fd, type, 0, 0, 0, 0);
}

EXPORT int unshare(int flags)
{
    if (!unshare_needs_one_thread(flags) || !libleak_dump_pause_dumper())
        return call_unshare(flags);
    int result = call_unshare(flags);
    libleak_dump_resume_dumper(); /* keeps errno */
    return result;
}

EXPORT int setns(int fd, int type)
{
    if (!setns_needs_one_thread(type) || !libleak_dump_pause_dumper())
        return call_setns(fd, type);
    int result = call_setns(fd, type);
    libleak_dump_resume_dumper();
    return result;
}

/* Six arguments are read whatever the call takes, as glibc's own syscall(2) does: registers
   (and, for the sixth on x86-64, the caller's stack slot) that are always there. */
EXPORT long syscall(long number, ...)
{
    va_list list;
    va_start(list, number);
    long a[6];
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(list, long);
    va_end(list);
    syscall_function next = find_next_syscall();
    bool step_aside = (number == SYS_unshare && unshare_needs_one_thread(a[0])) ||
                      (number == SYS_setns && setns_needs_one_thread(a[1]));
    if (!step_aside || !libleak_dump_pause_dumper())
        return next(number, a[0], a[1], a[2], a[3], a[4], a[5]);
    long result = next(number, a[0], a[1], a[2], a[3], a[4], a[5]);
    libleak_dump_resume_dumper();
    return result;
}
