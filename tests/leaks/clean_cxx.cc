// clean_cxx: C++ containers and objects, all destroyed or kept in globals (a static map, a
// string, a vector of unique_ptr): nothing lost, the gate passes. The runtime's own blocks
// (libstdc++'s exception pool, iostream buffers) are still reachable.
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

static std::map<std::string, std::vector<int>> registry;
static std::vector<std::unique_ptr<std::string>> names;

int main()
{
    for (int i = 0; i < 50; i++) {
        registry["key number " + std::to_string(i)] = std::vector<int>(i + 1, i);
        names.push_back(std::make_unique<std::string>(200, 'a' + i % 26));
    }
    std::vector<std::string> temporary(30, std::string(64, 't'));
    try {
        throw std::runtime_error("caught and freed");
    } catch (const std::exception &error) {
        std::cout << error.what() << " " << registry.size() << " " << temporary.size() << "\n";
    }
    return 0;
}
