/* call_with_rbp(rbp, size): malloc(size) called with %rbp set to any value, from hand-written
   assembly without unwind tables (no CFI), so that the unwinders meet a hostile frame pointer
   and code they cannot unwind by tables. Shared by the test programs that need it. */
#ifndef LIBLEAK_TEST_CALL_WITH_RBP_H
#define LIBLEAK_TEST_CALL_WITH_RBP_H
#include <stddef.h>
#include <stdint.h>

__asm__(".text\n"
        ".globl call_with_rbp\n"
        ".type call_with_rbp, @function\n"
        "call_with_rbp:\n"
        "    push %rbp\n"
        "    push %rbx\n"
        "    sub $8, %rsp\n"
        "    mov %rdi, %rbp\n"
        "    mov %rsi, %rdi\n"
        "    call malloc@PLT\n"
        "    add $8, %rsp\n"
        "    pop %rbx\n"
        "    pop %rbp\n"
        "    ret\n"
        ".size call_with_rbp, .-call_with_rbp\n");
void *call_with_rbp(uintptr_t rbp, size_t size);

#endif
