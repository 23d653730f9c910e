/* A program built against the installed libfix, as a user would build it. */
#include <libfix.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    libfix_ctx *ctx = libfix_new(NULL, NULL);
    if (!ctx) return 1;
    const char *in = "\xc3\xa5\xc2\x8f\xc2\x91\xc3\xa9\xc2\x80\xc2\x81"; /* 发送 as UTF-8 read as Latin-1 */
    libfix_result r;
    int rc = libfix_repair(ctx, in, strlen(in), &r);
    int ok = rc == LIBFIX_OK && strcmp(r.text, "\xe5\x8f\x91\xe9\x80\x81") == 0;
    printf("%s %s\n", libfix_version(), ok ? "ok" : "FAILED");
    if (rc == LIBFIX_OK) libfix_result_clear(&r);
    libfix_free(ctx);
    return ok ? 0 : 1;
}
