/*
 * hash — the hash functions of every table of the library and of the reader.
 *
 * libleak_hash_string is FNV-1a (64-bit): strings here (function names, paths) are short and
 * FNV-1a is the smallest hash good enough for them. libleak_hash_bytes is the same FNV-1a over
 * bytes, continued from a previous hash: a key made of several parts (a frame's name, file
 * and line; a stack's frame ids) is hashed part after part. libleak_hash_mix is MurmurHash3's
 * finalizer halved: keys such as addresses carry their information in the middle bits (the low
 * ones are alignment zeros), and one multiply between two shifts spreads it over the bits a
 * power-of-two table masks.
 */
#ifndef LIBLEAK_HASH_H
#define LIBLEAK_HASH_H
#include <stddef.h>
#include <stdint.h>

#define LIBLEAK_FNV_OFFSET_BASIS 0xCBF29CE484222325ULL
#define LIBLEAK_FNV_PRIME        0x100000001B3ULL

static inline uint64_t libleak_hash_string(const char *text)
{
    uint64_t hash = LIBLEAK_FNV_OFFSET_BASIS;
    for (; *text; text++)
        hash = (hash ^ (unsigned char)*text) * LIBLEAK_FNV_PRIME;
    return hash;
}

/* Continues hash (LIBLEAK_FNV_OFFSET_BASIS to begin) over size bytes at data. */
static inline uint64_t libleak_hash_bytes(uint64_t hash, const void *data, size_t size)
{
    const unsigned char *bytes = data;
    for (size_t i = 0; i < size; i++)
        hash = (hash ^ bytes[i]) * LIBLEAK_FNV_PRIME;
    return hash;
}

static inline uint64_t libleak_hash_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 33;
    return x;
}

#endif
