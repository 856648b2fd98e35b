// new_handler_free: a reserve of memory set aside for hard times, released by a new_handler
// when operator new finds no memory. One reserve was taken with malloc and goes back with
// free, the other with new[] and delete[]; the handler drops both pointers. Nothing is lost.
// Under libleak the handler runs inside libleak's operator new (the library's "inside" flag
// is set while libstdc++'s operator new runs), and a free there was once taken for a block of
// libleak's own and never forgotten: two phantom leaks. memcheck's own operator new returns
// NULL without calling the handler (it cannot throw): the reserves stay in their globals,
// still reachable; 0 lost either way.
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <cstdio>
#include <new>

#include "corpus.h"

static void *malloc_reserve;
static char *new_reserve;
static bool handler_ran;

static void release_reserve()
{
    handler_ran = true;
    free(malloc_reserve);
    malloc_reserve = nullptr;
    delete[] new_reserve;
    new_reserve = nullptr;
    std::set_new_handler(nullptr); // nothing more to give: the next failure is bad_alloc
}

CORPUS_SITE static void set_reserves_aside()
{
    malloc_reserve = xmalloc(64 * 1024);
    new_reserve = new char[32 * 1024];
}

// More than any machine has: operator new fails, calls the handler, fails again.
CORPUS_SITE static bool ask_too_much()
{
    char *volatile block = new (std::nothrow) char[(size_t)1 << 46];
    bool failed = block == nullptr;
    delete[] block;
    return failed;
}

int main()
{
    set_reserves_aside();
    std::set_new_handler(release_reserve);
    bool failed = ask_too_much();
    std::printf("new failed: %d, handler ran: %d\n", failed, handler_ran);
    if (!handler_ran) { // memcheck: the reserves are still there, give them back now
        free(malloc_reserve);
        delete[] new_reserve;
    }
    scrub_stack();
    return 0;
}
