/* deepbind_free_plugin: the library deepbind_free dlopens with RTLD_DEEPBIND. Its malloc and
   free bind to libc's before the global scope's. */
#include <stdlib.h>

void plugin_free(void *block)
{
    free(block);
}

void *plugin_malloc(size_t size)
{
    return malloc(size);
}
