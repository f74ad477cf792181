/* SPDX-License-Identifier: MIT */
/* base64.c - Base64 with the standard alphabet and '=' padding (RFC 4648
 * section 4), for SASL exchanges in POP3 AUTH (RFC 5034). The decoder takes
 * only canonical input: padded, no whitespace, zero pad bits. */
#include <stdint.h>

#include "internal.h"

#define B64_BAD 64u /* not a character of the alphabet */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of an alphabet character, B64_BAD for anything else
 * (including '='). */
static unsigned b64_value(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return (unsigned)(ch - 'A');
    if (ch >= 'a' && ch <= 'z')
        return (unsigned)(ch - 'a') + 26;
    if (ch >= '0' && ch <= '9')
        return (unsigned)(ch - '0') + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return B64_BAD;
}

/* Encodes n (1 to 3) bytes of in as four characters, padded with '='. */
static void b64_quantum(const unsigned char *in, size_t n, char *out)
{
    const uint32_t v = (uint32_t)in[0] << 16 |
                       (uint32_t)(n > 1 ? in[1] : 0) << 8 |
                       (uint32_t)(n > 2 ? in[2] : 0);

    out[0] = b64_alphabet[v >> 18 & 0x3f];
    out[1] = b64_alphabet[v >> 12 & 0x3f];
    out[2] = n > 1 ? b64_alphabet[v >> 6 & 0x3f] : '=';
    out[3] = n > 2 ? b64_alphabet[v & 0x3f] : '=';
}

size_t p3_base64_encode(const void *in, size_t len, char *out, size_t outlen)
{
    const unsigned char *p = in;
    const size_t quanta = len / 3 + (len % 3 != 0);
    size_t o = 0;

    if (quanta > (SIZE_MAX - 1) / 4 || outlen < quanta * 4 + 1) {
        if (outlen > 0)
            out[0] = '\0';
        return (size_t)-1;
    }
    for (size_t i = 0; i < len; i += 3, o += 4)
        b64_quantum(p + i, len - i < 3 ? len - i : 3, out + o);
    out[o] = '\0';
    return o;
}

/* The number of '=' at the end of a canonical text of len (a non-zero
 * multiple of 4) characters: 0, 1 or 2. */
static size_t b64_padding(const char *in, size_t len)
{
    if (in[len - 1] != '=')
        return 0;
    return in[len - 2] == '=' ? 2 : 1;
}

/* Decodes the four characters of one quantum, of which the last pad are
 * '=', into 3 - pad bytes. -1 on a character outside the alphabet or
 * non-zero pad bits (RFC 4648 section 3.5). */
static int b64_unquantum(const char *in, size_t pad, unsigned char *out)
{
    uint32_t v = 0;

    for (size_t i = 0; i < 4; i++) {
        const unsigned d = i < 4 - pad ? b64_value(in[i]) : 0;

        if (d == B64_BAD)
            return -1;
        v = v << 6 | d;
    }
    if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0))
        return -1;
    out[0] = (unsigned char)(v >> 16 & 0xff);
    if (pad < 2)
        out[1] = (unsigned char)(v >> 8 & 0xff);
    if (pad < 1)
        out[2] = (unsigned char)(v & 0xff);
    return 0;
}

size_t p3_base64_decode(const char *in, size_t len, unsigned char *out,
                        size_t outlen)
{
    size_t pad, need, o = 0;

    if (len % 4 != 0)
        return (size_t)-1;
    if (len == 0)
        return 0;
    pad = b64_padding(in, len);
    need = len / 4 * 3 - pad;
    if (outlen < need)
        return (size_t)-1;
    for (size_t i = 0; i < len; i += 4, o += 3) {
        const size_t qpad = i + 4 == len ? pad : 0;

        if (b64_unquantum(in + i, qpad, out + o) != 0)
            return (size_t)-1;
    }
    return need;
}
