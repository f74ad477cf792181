/* SPDX-License-Identifier: MIT */
/* mail.h - what a round trip reads and writes besides POP3, as pure
 * functions without I/O: SMTP reply lines (smtpreply.c), mail dates and
 * Received: headers (maildate.c), the header part of a TOP reply
 * (headers.c), and the identifier that marks a probe
 * message as this check's own (probeid.c, HMAC-SHA-256 and random bytes
 * from OpenSSL's libcrypto). Private to the library. */
#ifndef POP3CHECK_MAIL_H
#define POP3CHECK_MAIL_H

#include <stddef.h>
#include <stdint.h>

/* ---- SMTP reply lines (RFC 5321 section 4.2, RFC 3463, RFC 2034) ---- */

struct p3_smtp_line {
    int code;          /* 200 .. 599 */
    int last;          /* 1: "250 text" (or "250" alone), 0: "250-text" */
    char enhanced[16]; /* "5.7.1" when the text starts with an enhanced
                          status code whose class is the code's first
                          digit (RFC 2034 section 4), else "" */
    const char *text;  /* after the code, separator and enhanced code, */
    size_t textlen;    /* inside the line; may be empty */
};

/* Parses one reply line (no CRLF). 0, or -1 when the line does not start
 * with three digits 2-5, 0-5, 0-9 followed by ' ', '-' or the end. */
int p3_smtp_line_parse(const char *line, size_t len, struct p3_smtp_line *out);

/* ---- dates and Received: headers (RFC 5322 section 3.3 and 4.3, RFC
 * 5321 section 4.4) ---- */

/* An RFC 5322 date-time ("Tue, 1 Dec 2026 10:00:00 +0100"), with the
 * obsolete forms of section 4.3 too (no day name, two- or three-digit
 * years, named zones UT/GMT/EST/EDT/CST/CDT/MST/MDT/PST/PDT, military
 * zones as -0000, comments and folding white space anywhere). Sets
 * *unix_s to seconds since the epoch (UTC) and returns 0; -1 when s is not
 * a date or names an impossible one (31 Feb, 25:00, zone +9999). */
int p3_mail_date(const char *s, size_t len, int64_t *unix_s);

/* One hop of a Received: header ("from a.example (...) by b.example
 * (Postfix) with ESMTPS id X for <y>; Tue, 1 Dec 2026 10:00:00 +0000"). */
struct p3_hop {
    char from[64]; /* the word after "from", "" if none */
    char by[64];   /* the word after "by", "" if none */
    int64_t at;    /* the date after the last ';' outside comments and
                      quoted strings, Unix seconds; -1 when missing or
                      not a date */
};

/* Parses the value of one Received: header (unfolded, without the name).
 * Words are cut to fit and sanitised (printable ASCII). 0, or -1 when the
 * value has neither a "by" part nor a date. */
int p3_received_parse(const char *value, size_t len, struct p3_hop *hop);

/* ---- the header part of a TOP n 0 reply (RFC 5322 section 2.2) ---- */

#define P3_HEADER_MAX 1000 /* an unfolded header kept; longer ones cut */

/* Called with each whole header, unfolded: folded lines joined with one
 * space (so a refolded header reads as it was written), cut at
 * P3_HEADER_MAX. */
typedef void p3_header_fn(void *ctx, const char *h, size_t len);

/* What a reader keeps between the bytes of one reply. */
struct p3_hdrread {
    size_t line_len, hdr_len;
    int body; /* past the empty line that ends the headers */
    char line[P3_HEADER_MAX + 1];
    char hdr[P3_HEADER_MAX + 1];
};

void p3_hdrread_init(struct p3_hdrread *h);
/* Reads the bytes after the reply's +OK line up to one line end; *used
 * says how many it took. Lines are dot-unstuffed (RFC 1939 section 3);
 * each header goes to fn once it is whole. 1 when the line was the final
 * ".", else 0. */
int p3_hdrread_bytes(struct p3_hdrread *h, const char *d, size_t len,
                     size_t *used, p3_header_fn *fn, void *ctx);
/* 1 if header h is called name (any case), with *v its value without
 * surrounding white space; else 0. */
int p3_header_named(const char *h, size_t len, const char *name, const char **v,
                    size_t *vlen);

/* ---- the probe identifier (header X-Pop3check-Probe) ---- */

#define P3_PROBEID_HEADER    "X-Pop3check-Probe"
#define P3_PROBEID_CHECK_MAX 64  /* longest check name */
#define P3_PROBEID_VALUE_MAX 300 /* longest header value this writes */
#define P3_PROBEID_KEY_MAX   256 /* longest key */

/* What an identifier says: which check sent the probe, its nonce (128
 * random bits), when it was sent and until when its sender looks for it
 * (both on the sender's clock, Unix milliseconds). */
struct p3_probeid {
    char check[P3_PROBEID_CHECK_MAX + 1];
    unsigned char nonce[16];
    int64_t sent_ms;
    int64_t deadline_ms;
};

/* 1 if name can be a check name: 1 .. P3_PROBEID_CHECK_MAX characters of
 * A-Z a-z 0-9 and . _ - @ / + : = */
int p3_probeid_check_name_ok(const char *name);

/* Writes the header value for id, authenticated with key:
 * "v1; c=NAME; n=NONCE-HEX; t=SENT; d=DEADLINE; m=HMAC-HEX", the HMAC
 * (SHA-256, lower-case hex) over the exact text before "; m=". 0, or -1
 * (out is then "") when the check name is not valid, a time is negative,
 * the key is longer than P3_PROBEID_KEY_MAX, out is too small or
 * libcrypto fails. */
int p3_probeid_format(const struct p3_probeid *id, const unsigned char *key,
                      size_t keylen, char *out, size_t outlen);

enum p3_probeid_verdict {
    P3_ID_NONE,        /* not an identifier at all (no "v" DIGITS ";") */
    P3_ID_MALFORMED,   /* starts like one, but is not exactly what format
                          writes; also every version but v1 (another
                          release's: never ours to delete) */
    P3_ID_OTHER_CHECK, /* well-formed, another check's name */
    P3_ID_FORGED,      /* this check's name, but the HMAC does not match */
    P3_ID_OURS         /* this check's, authentic: *out is filled */
};

/* Reads a header value (unfolded, surrounding white space allowed) and
 * says whose it is, comparing the HMAC in constant time. Strict: only the
 * text format writes is well-formed (field order, single spaces,
 * lower-case hex, numbers without sign or leading zeros); the MAC is
 * recomputed over the parsed fields written canonically. A key format
 * would refuse, or a libcrypto failure, makes this check's name FORGED.
 * out may be NULL; it is filled for OTHER_CHECK, FORGED and OURS. */
enum p3_probeid_verdict p3_probeid_verify(const char *value, size_t len,
                                          const char *check,
                                          const unsigned char *key,
                                          size_t keylen,
                                          struct p3_probeid *out);

/* The key of a check that was given none: SHA-256 over a fixed label, the
 * user and the password of the mailbox, each but the last followed by a
 * NUL (so that only who can log in can make an identifier that
 * verifies). 0, or -1 when libcrypto fails (out of memory); out is then
 * wiped. */
int p3_probeid_derive_key(const char *user, const char *password,
                          unsigned char out[32]);

#endif
