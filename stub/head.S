/* smclat-stub's entry. The arm64 Linux Image header (Documentation/arm64/booting.rst) is what
 * Xen's toolstack loader (libxenguest's zImage64 probe) checks; it copies the file only, so the
 * stub zeroes its own .bss and stack. x0 holds the device tree's address (top of the guest's
 * RAM). The MMU and caches stay off; IRQs stay masked (the stub polls, see stub_xen.c). */
    .section .head, "ax"
    .globl _start
_start:
    b       1f                      /* code0 */
    .long   0                       /* code1 */
    .quad   0                       /* text_offset: at the RAM base */
    .quad   _stub_image_size        /* image_size, .bss and stack included */
    .quad   0xa                     /* flags: little endian, 4 KiB pages, anywhere */
    .quad   0, 0, 0
    .ascii  "ARM\x64"               /* magic */
    .long   0
1:  mov     x19, x0
    adrp    x1, _stub_stack_top
    add     x1, x1, :lo12:_stub_stack_top
    mov     sp, x1
    adrp    x1, _stub_bss_start
    add     x1, x1, :lo12:_stub_bss_start
    adrp    x2, _stub_bss_end
    add     x2, x2, :lo12:_stub_bss_end
2:  cmp     x1, x2
    b.hs    3f
    str     xzr, [x1], #8
    b       2b
3:  adrp    x1, stub_vectors
    add     x1, x1, :lo12:stub_vectors
    msr     vbar_el1, x1
    isb
    mov     x0, x19
    bl      stub_main
4:  wfi
    b       4b

/* Any exception (a fault, an IRQ nobody asked for): report it on the console and crash. */
    .text
    .balign 2048
stub_vectors:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    .balign 128
    mrs     x0, esr_el1
    mrs     x1, elr_el1
    mrs     x2, far_el1
    mov     x3, #\n
    b       stub_exception
    .endr
