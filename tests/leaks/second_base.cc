/* second_base: the only pointer to an object of a class with two polymorphic bases points at
   its second base subobject (16 bytes in), as a pointer of the second base's type does.
   memcheck's multipleinheritance heuristic (on by default) counts it as a start pointer:
   still reachable. Without it the object is "possibly lost", and LIBLEAK_CHECK_POSSIBLE=1
   would fail a clean C++ program. A second object, held the same way but then dropped, is
   definitely lost. */
//@ main: definitely=40/1 indirectly=0/0 possibly=0/0 status=23
#include "corpus.h"

struct First {
    virtual ~First() {}
    long first = 1;
};

struct Second {
    virtual ~Second() {}
    long second = 2;
};

struct Both : First, Second {
    long both = 3;
};

Second *volatile kept;

CORPUS_SITE static void keep_second_base(void)
{
    kept = new Both;
}

CORPUS_SITE static void lose_second_base(void)
{
    Second *volatile lost = new Both;
    lost = nullptr;
    (void)lost;
}

int main()
{
    keep_second_base();
    lose_second_base();
    scrub_stack();
    return 0;
}
