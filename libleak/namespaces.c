/*
 * namespaces — unshare and setns, interposed so that a single-threaded program can still
 * enter a user namespace (or another mount namespace) under libleak.
 *
 * The kernel refuses unshare(CLONE_NEWUSER) and setns into a user or mount namespace to a
 * process with more than one thread (EINVAL): libleak's dumper thread alone would make every
 * unshare -U, bwrap or sandboxing zygote fail. Around those calls the dumper is stopped and
 * started again afterwards (dump.c); other calls pass straight through. Not covered: the raw
 * system call (syscall(SYS_unshare, ...), inline assembly), which no interposition can see;
 * clone(CLONE_NEWUSER) needs no such care (the new process has one thread).
 */
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dump.h"

#define EXPORT __attribute__((visibility("default")))

/* Flags whose namespace the kernel lets only a single-threaded process enter. */
#define UNSHARE_NEEDS_ONE_THREAD (CLONE_NEWUSER | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)
#define SETNS_NEEDS_ONE_THREAD   (CLONE_NEWUSER | CLONE_NEWNS)

static int (*next_unshare)(int);
static int (*next_setns)(int, int);

/* Called from the constructor, so that the interposed calls need no dlsym (loader lock). */
void libleak_namespaces_init(void)
{
    next_unshare = (int (*)(int))dlsym(RTLD_NEXT, "unshare");
    next_setns = (int (*)(int, int))dlsym(RTLD_NEXT, "setns");
}

static int call_unshare(int flags)
{
    return next_unshare ? next_unshare(flags) : (int)syscall(SYS_unshare, flags);
}

static int call_setns(int fd, int type)
{
    return next_setns ? next_setns(fd, type) : (int)syscall(SYS_setns, fd, type);
}

EXPORT int unshare(int flags)
{
    if (!(flags & UNSHARE_NEEDS_ONE_THREAD))
        return call_unshare(flags);
    libleak_dump_pause_dumper();
    int result = call_unshare(flags);
    libleak_dump_resume_dumper(); /* keeps errno */
    return result;
}

/* type 0 means "any kind": it may be a user or mount namespace. */
EXPORT int setns(int fd, int type)
{
    if (type != 0 && !(type & SETNS_NEEDS_ONE_THREAD))
        return call_setns(fd, type);
    libleak_dump_pause_dumper();
    int result = call_setns(fd, type);
    libleak_dump_resume_dumper();
    return result;
}
