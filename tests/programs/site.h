/* SITE marks a function that is an allocation site the tests look for by name: never inlined
   or cloned (a clone would carry another name), and kept even when it looks unused. clang has
   no noclone attribute and does not clone such functions. */
#ifndef LIBLEAK_TEST_SITE_H
#define LIBLEAK_TEST_SITE_H
#if defined(__clang__)
#define SITE __attribute__((noinline, used))
#else
#define SITE __attribute__((noinline, noclone, used))
#endif
#endif
