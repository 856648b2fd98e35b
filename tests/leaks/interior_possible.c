/* interior_possible: interior.c with LIBLEAK_CHECK_POSSIBLE=1, so that the possibly lost block
   fails the gate (memcheck: --errors-for-leak-kinds=definite,indirect,possible). */
//@ env: LIBLEAK_CHECK_POSSIBLE=1
//@ main: definitely=0/0 indirectly=0/0 possibly=256/1 status=23
#include "interior.c"
