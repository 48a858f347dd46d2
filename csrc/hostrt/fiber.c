/* fiber.c - the context switch under CUDA threads that wait at barriers. */
/* A hand-written switch saves only what the ABI says a call preserves
 * (callee-saved registers, stack pointer, FP control words): about 8 ns,
 * against 1.2 us for swapcontext, which makes a sigprocmask system call
 * each time. Other architectures use ucontext (or define
 * GAHOST_FIBER_UCONTEXT to try that path on x86-64). */
#include "hostrt_private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && !defined(GAHOST_FIBER_UCONTEXT)

/* hostrt_ctx_switch(void **save /rdi/, void *to /rsi/) */
__asm__(".text\n"
        ".p2align 4\n"
        ".globl hostrt_ctx_switch\n"
        ".hidden hostrt_ctx_switch\n"
        ".type hostrt_ctx_switch,@function\n"
        "hostrt_ctx_switch:\n"
        "    pushq %rbp\n"
        "    pushq %rbx\n"
        "    pushq %r12\n"
        "    pushq %r13\n"
        "    pushq %r14\n"
        "    pushq %r15\n"
        "    subq $8, %rsp\n"
        "    stmxcsr (%rsp)\n"
        "    fnstcw 4(%rsp)\n"
        "    movq %rsp, (%rdi)\n"
        "    movl (%rsp), %eax\n"
        "    movzwl 4(%rsp), %edx\n"
        "    movq %rsi, %rsp\n"
        /* loading the control words is slow: only when they differ */
        "    cmpl (%rsp), %eax\n"
        "    je 1f\n"
        "    ldmxcsr (%rsp)\n"
        "1:  cmpw 4(%rsp), %dx\n"
        "    je 2f\n"
        "    fldcw 4(%rsp)\n"
        "2:\n"
        "    addq $8, %rsp\n"
        "    popq %r15\n"
        "    popq %r14\n"
        "    popq %r13\n"
        "    popq %r12\n"
        "    popq %rbx\n"
        "    popq %rbp\n"
        "    ret\n"
        ".size hostrt_ctx_switch, .-hostrt_ctx_switch\n"
        /* First resume of a fiber lands here with %rsp 16-byte aligned. */
        ".p2align 4\n"
        ".type hostrt_fiber_start,@function\n"
        "hostrt_fiber_start:\n"
        "    call hostrt_fiber_main\n"
        "    ud2\n"
        ".size hostrt_fiber_start, .-hostrt_fiber_start\n");

extern char hostrt_fiber_start[];

hostrt_ctx hostrt_ctx_make(void *lo, size_t size, size_t top_offset)
{
    uintptr_t top = ((uintptr_t)lo + size - top_offset) & ~(uintptr_t)15;
    uint64_t *sp = (uint64_t *)top;
    uint32_t mxcsr;
    uint16_t fcw;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(fcw));
    /* `ret` pops the trampoline's address and leaves %rsp 16-byte aligned,
     * so its `call` enters hostrt_fiber_main with %rsp = 8 mod 16 as the
     * ABI says (movaps spills fault otherwise). Above it: a null return
     * address for unwinders, and padding. */
    *--sp = 0;
    *--sp = 0;
    *--sp = (uint64_t)(uintptr_t)hostrt_fiber_start;
    for (int i = 0; i < 6; i++)               /* rbp rbx r12 r13 r14 r15 */
        *--sp = 0;
    *--sp = (uint64_t)mxcsr | ((uint64_t)fcw << 32);   /* upper 16 bits unused */
    return sp;
}

hostrt_ctx hostrt_ctx_native_storage(void) { return NULL; }

#elif defined(__aarch64__) && !defined(GAHOST_FIBER_UCONTEXT)

/* x0 = void **save, x1 = void *to. Callee-saved: x19-x30, d8-d15, sp; and fpcr. */
__asm__(".text\n"
        ".p2align 4\n"
        ".globl hostrt_ctx_switch\n"
        ".hidden hostrt_ctx_switch\n"
        ".type hostrt_ctx_switch,%function\n"
        "hostrt_ctx_switch:\n"
        "    sub sp, sp, #176\n"
        "    stp x19, x20, [sp, #0]\n"
        "    stp x21, x22, [sp, #16]\n"
        "    stp x23, x24, [sp, #32]\n"
        "    stp x25, x26, [sp, #48]\n"
        "    stp x27, x28, [sp, #64]\n"
        "    stp x29, x30, [sp, #80]\n"
        "    stp d8, d9, [sp, #96]\n"
        "    stp d10, d11, [sp, #112]\n"
        "    stp d12, d13, [sp, #128]\n"
        "    stp d14, d15, [sp, #144]\n"
        "    mrs x9, fpcr\n"
        "    str x9, [sp, #160]\n"
        "    mov x9, sp\n"
        "    str x9, [x0]\n"
        "    mov sp, x1\n"
        "    ldr x9, [sp, #160]\n"
        "    msr fpcr, x9\n"
        "    ldp x19, x20, [sp, #0]\n"
        "    ldp x21, x22, [sp, #16]\n"
        "    ldp x23, x24, [sp, #32]\n"
        "    ldp x25, x26, [sp, #48]\n"
        "    ldp x27, x28, [sp, #64]\n"
        "    ldp x29, x30, [sp, #80]\n"
        "    ldp d8, d9, [sp, #96]\n"
        "    ldp d10, d11, [sp, #112]\n"
        "    ldp d12, d13, [sp, #128]\n"
        "    ldp d14, d15, [sp, #144]\n"
        "    add sp, sp, #176\n"
        "    ret\n"
        ".size hostrt_ctx_switch, .-hostrt_ctx_switch\n"
        ".p2align 4\n"
        ".type hostrt_fiber_start,%function\n"
        "hostrt_fiber_start:\n"
        "    bl hostrt_fiber_main\n"
        "    brk #0\n"
        ".size hostrt_fiber_start, .-hostrt_fiber_start\n");

extern char hostrt_fiber_start[];

hostrt_ctx hostrt_ctx_make(void *lo, size_t size, size_t top_offset)
{
    uintptr_t top = ((uintptr_t)lo + size - top_offset) & ~(uintptr_t)15;
    uint64_t *sp = (uint64_t *)(top - 176);
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    memset(sp, 0, 176);
    sp[11] = (uint64_t)(uintptr_t)hostrt_fiber_start; /* x30: `ret` goes there */
    sp[20] = fpcr;
    return sp;
}

hostrt_ctx hostrt_ctx_native_storage(void) { return NULL; }

#else /* ucontext fallback */

#include <ucontext.h>

static void fiber_entry_uc(void) { hostrt_fiber_main(); }

void hostrt_ctx_switch(hostrt_ctx *save, hostrt_ctx to)
{
    swapcontext((ucontext_t *)*save, (ucontext_t *)to);
}

/* The ucontext_t lives at the bottom of the fiber's own stack. */
hostrt_ctx hostrt_ctx_make(void *lo, size_t size, size_t top_offset)
{
    ucontext_t *uc = (ucontext_t *)lo;
    size_t hdr = (sizeof(ucontext_t) + 63) & ~(size_t)63;
    getcontext(uc);
    uc->uc_stack.ss_sp = (char *)lo + hdr;
    uc->uc_stack.ss_size = size - hdr - top_offset;
    uc->uc_link = NULL;
    makecontext(uc, fiber_entry_uc, 0);
    return uc;
}

hostrt_ctx hostrt_ctx_native_storage(void)
{
    return calloc(1, sizeof(ucontext_t));
}

#endif
