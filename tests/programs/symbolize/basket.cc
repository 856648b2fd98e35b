// basket.cc — a C++ program whose blocks are allocated under inlined standard-library
// templates, in a namespace: leakprof's naming of its addresses must equal the library's
// in-process naming (tests/cases/symbolize_same_as_library.sh), demangled names included.
#include <string>
#include <vector>

namespace shop {
struct Basket {
    std::vector<std::string> items;
    __attribute__((noinline)) void add(const char *name) { items.push_back(name); }
};
} // namespace shop

static shop::Basket *kept;

int main()
{
    kept = new shop::Basket;
    for (int i = 0; i < 10; i++)
        kept->add("a name long enough to live on the heap, not in the string");
    kept = nullptr; // lost at exit
    return 0;
}
