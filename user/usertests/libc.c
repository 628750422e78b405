/* usertests: the libc itself (user/lib). */
#include "usertests.h"

/* ---------------------------------------------------------------------- */
/* the libc itself                                                        */

int t_libc(void)
{
    char b[128];
    snprintf(b, sizeof(b), "%d|%5d|%-4d|%05d|%x|%X|%s|%c|%%", -12, 34, 5, -42,
             0xbeef, 0xBEEF, "str", 'q');
    CHECK(!strcmp(b, "-12|   34|5   |-0042|beef|BEEF|str|q|%"), "got %s", b);
    snprintf(b, sizeof(b), "%lld|%llu|%lu|%ld|%u|%-6s|%6s|%.2s", -1234567890123LL,
             18446744073709551615ULL, 4294967295UL, -2147483647L - 1, 0u,
             "ab", "cd", "xyz");
    CHECK(!strcmp(b, "-1234567890123|18446744073709551615|4294967295|"
                     "-2147483648|0|ab    |    cd|xy"), "got %s", b);
    CHECK(snprintf(b, 4, "abcdef") == 6 && !strcmp(b, "abc"), "truncation");
    snprintf(b, sizeof(b), "%p", (void *)0x1234);
    CHECK(!strcmp(b, "0x1234"), "%%p gave %s", b);
    CHECK(atoi("-42") == -42 && strtoul("0x1f", NULL, 0) == 31 &&
          strtoul("777", NULL, 8) == 511, "number parsing");
    /* malloc: many small blocks, a big one, realloc, free */
    enum { N = 300 };
    static char *blocks[N];
    for (int i = 0; i < N; i++) {
        blocks[i] = malloc(1 + i * 7);
        CHECK(blocks[i] && !((uintptr_t)blocks[i] & 15), "malloc %d", i);
        memset(blocks[i], i & 0xff, 1 + i * 7);
    }
    for (int i = 0; i < N; i += 2)
        free(blocks[i]);
    char *big = malloc(300 * 1024);
    CHECK(big, "big malloc");
    memset(big, 1, 300 * 1024);
    for (int i = 1; i < N; i += 2)
        for (int j = 0; j < 1 + i * 7; j++)
            CHECK(blocks[i][j] == (char)(i & 0xff), "block %d corrupted", i);
    char *r = realloc(blocks[1], 5000);
    CHECK(r && r[0] == 1 && r[7] == 1, "realloc lost data");
    blocks[1] = r;
    for (int i = 1; i < N; i += 2)
        free(blocks[i]);
    free(big);
    int *z = calloc(1000, sizeof(int));
    CHECK(z, "calloc");
    for (int i = 0; i < 1000; i++)
        CHECK(z[i] == 0, "calloc not zeroed");
    free(z);
    return PASS;
}
