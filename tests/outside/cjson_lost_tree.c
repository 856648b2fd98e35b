/* The injected leak of tests/cases/gate_outside_suite.sh, built against the cJSON the suite
 * built: a parsed document whose root is dropped, so the root item is definitely lost and the
 * eight blocks it holds (two member items with their keys, the array's three items, the
 * string value) are indirectly lost. Everything else is freed. */
#include <stdio.h>
#include <stdlib.h>
#include <cJSON.h>

int main(void)
{
    cJSON *kept = cJSON_Parse("{\"kept\":[true,false]}");
    cJSON *lost = cJSON_Parse("{\"name\":\"libleak\",\"list\":[1,2,3]}"); /* LOST HERE */
    char *text;
    if (kept == NULL || lost == NULL)
        return 1;
    text = cJSON_PrintUnformatted(kept);
    if (text == NULL)
        return 1;
    printf("%s %d\n", text, cJSON_GetArraySize(cJSON_GetObjectItem(lost, "list")));
    free(text);
    cJSON_Delete(kept);
    lost = NULL;
    return 0;
}
