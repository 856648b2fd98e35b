/*
 * leaky_server — the classic leak of Go's pprof tutorials, in C.
 *
 * A toy server handles simulated requests: it parses each one, builds a response in a
 * temporary buffer, "sends" it and frees everything again (steady churn that is not a leak).
 * But it also keeps a 10 000-byte copy of every request on a global list "for debugging", and
 * nothing ever trims that list: remember_request() leaks about 10 MB per 1000 requests.
 *
 * Run it under libleak and compare two snapshots: remember_request is what grew.
 *
 *     LD_PRELOAD=$PWD/build/libleak.so build/examples/leaky_server -t 10 &
 *     sleep 1; kill -USR2 $!; sleep 2; kill -USR2 $!
 *     build/leakprof diff libleak.leaky_server.*.0001.heap.pb.gz libleak.leaky_server.*.0002.heap.pb.gz
 *
 * Usage: leaky_server [-t SECONDS] [-n REQUESTS] [-r REQUESTS_PER_SECOND]
 * It stops after SECONDS (default 10), after REQUESTS requests, or on SIGINT/SIGTERM, whichever
 * comes first, and prints one line saying what it did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_loop.h"

#define REMEMBERED_BYTES 10000

/* What a parsed request looks like; every part of it is heap-allocated and freed again. */
struct request {
    unsigned long id;
    char *method;
    char *path;
    char **headers;
    size_t header_count;
};

/* The leak: a global list that only ever grows. */
struct remembered {
    struct remembered *next;
    char *copy; /* REMEMBERED_BYTES of the request, kept "for debugging" */
};
static struct remembered *remembered_requests;
static unsigned long remembered_count;

static volatile unsigned long response_checksum; /* keeps the response work from being optimized out */

static void die(const char *what)
{
    fprintf(stderr, "leaky_server: %s\n", what);
    exit(1);
}

/* Wraps the result, not the call: malloc is still called from the function that wants the
 * memory, and that is the function a profile charges the bytes to. */
static void *checked(void *p)
{
    if (p == NULL)
        die("out of memory");
    return p;
}

/* A simulated request as it arrives on the wire. */
static void receive_request(unsigned long id, char *wire, size_t size)
{
    static const char *const paths[] = {"/", "/index.html", "/api/items", "/api/users/42", "/static/app.js"};
    snprintf(wire, size,
             "GET %s?id=%lu HTTP/1.1\r\nHost: example.org\r\nUser-Agent: toy/1.0\r\n"
             "Accept: */*\r\nX-Request-Id: %lu\r\n\r\n",
             paths[id % (sizeof paths / sizeof paths[0])], id, id);
}

/* Churn: small allocations for the parsed request, all freed by free_request(). */
__attribute__((noinline)) struct request *parse_request(unsigned long id, const char *wire)
{
    struct request *req = checked(malloc(sizeof *req));
    char *text = checked(strdup(wire));
    char *line_end = strstr(text, "\r\n");
    if (line_end != NULL)
        *line_end = '\0';
    char *space = strchr(text, ' ');
    if (space != NULL)
        *space = '\0';
    req->id = id;
    req->method = checked(strdup(text));
    req->path = checked(strdup(space != NULL ? space + 1 : "/"));
    req->header_count = 0;
    req->headers = NULL;
    for (char *line = line_end != NULL ? line_end + 2 : NULL; line != NULL && *line != '\0';) {
        char *end = strstr(line, "\r\n");
        if (end != NULL)
            *end = '\0';
        char **grown = realloc(req->headers, (req->header_count + 1) * sizeof *grown);
        if (grown == NULL)
            die("out of memory");
        req->headers = grown;
        req->headers[req->header_count++] = checked(strdup(line));
        line = end != NULL ? end + 2 : NULL;
    }
    free(text);
    return req;
}

static void free_request(struct request *req)
{
    for (size_t i = 0; i < req->header_count; i++)
        free(req->headers[i]);
    free(req->headers);
    free(req->method);
    free(req->path);
    free(req);
}

/* Churn: a response of 4 to 64 KiB built in a temporary buffer, "sent", and freed. */
__attribute__((noinline)) unsigned long build_and_send_response(const struct request *req)
{
    size_t size = 4096u << (req->id % 5);
    char *body = checked(malloc(size));
    size_t used = (size_t)snprintf(body, size,
                                   "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                                   "%s %s: %zu headers\n",
                                   req->method, req->path, req->header_count);
    memset(body + used, 'x', size - used);
    unsigned long checksum = 0; /* stands in for write(2) */
    for (size_t i = 0; i < size; i += 64)
        checksum += (unsigned char)body[i];
    free(body);
    return checksum;
}

/* The leak: a copy of every request goes onto a list that nothing ever trims. */
__attribute__((noinline)) void remember_request(const char *wire)
{
    struct remembered *entry = checked(malloc(sizeof *entry));
    entry->copy = checked(malloc(REMEMBERED_BYTES));
    size_t len = strlen(wire);
    memset(entry->copy, 0, REMEMBERED_BYTES);
    memcpy(entry->copy, wire, len < REMEMBERED_BYTES ? len : REMEMBERED_BYTES - 1);
    entry->next = remembered_requests;
    remembered_requests = entry;
    remembered_count++;
}

__attribute__((noinline)) void handle_request(unsigned long id, void *unused)
{
    (void)unused;
    char wire[512];
    receive_request(id, wire, sizeof wire);
    struct request *req = parse_request(id, wire);
    response_checksum += build_and_send_response(req);
    remember_request(wire);
    free_request(req);
}

int main(int argc, char **argv)
{
    struct run_options options = {.seconds = 10, .max_items = 0, .rate = 1000};
    run_parse_options(argc, argv, &options,
                      "leaky_server [-t SECONDS] [-n REQUESTS] [-r REQUESTS_PER_SECOND]");
    printf("leaky_server: pid %ld serving %.0f requests/s\n", (long)getpid(), options.rate);
    fflush(stdout);

    double elapsed;
    unsigned long handled = run_paced(&options, handle_request, NULL, &elapsed);

    printf("leaky_server: handled %lu requests in %.1f s; %lu copies (%.1f MB) still remembered\n", handled,
           elapsed, remembered_count, (double)remembered_count * REMEMBERED_BYTES / 1e6);
    return 0;
}
