// cxx_new: C++ new and new[] blocks dropped: a 24-byte object (new), an array of 100 ints
// (new int[100]: 400 bytes) and an array of 10 objects with a destructor (new T[10]: 10 x 16
// bytes plus the 8-byte element count the compiler puts in front: 168 bytes). A std::string
// and a std::vector kept in globals stay reachable.
//@ main: definitely=592/3 indirectly=0/0 possibly=0/0 status=23
#include <string>
#include <vector>

#include "corpus.h"

struct node {
    node *next;
    long value;
    long other;
};
struct with_destructor {
    long a, b;
    ~with_destructor()
    {
        a = 0;
    }
};

std::string kept_string(100, 'x');
std::vector<int> kept_vector(50);

CORPUS_SITE static void lose_objects()
{
    node *object = new node();
    int *numbers = new int[100]();
    with_destructor *objects = new with_destructor[10]();
    object = nullptr;
    numbers = nullptr;
    objects = nullptr;
    (void)object;
    (void)numbers;
    (void)objects;
}

int main()
{
    lose_objects();
    scrub_stack();
    return 0;
}
