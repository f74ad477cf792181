/* SPDX-License-Identifier: MIT */
/* scram.h - the client side of SASL SCRAM-SHA-1 and SCRAM-SHA-256 (RFC
 * 5802, 7677) without I/O (scram.c): it writes the client's messages and
 * checks the server's, auth.c carries them over POP3 AUTH (RFC 5034).
 * Channel binding (the -PLUS mechanisms, RFC 5802 section 6) takes the
 * binding data that tlsbind.c reads off the TLS connection. */
#ifndef POP3CHECK_SCRAM_H
#define POP3CHECK_SCRAM_H

#include "internal.h"

/* The iteration counts accepted from a server: RFC 7677 asks for at
 * least 4096. The top bounds the time the derivation blocks a probe's
 * thread (PBKDF2 of 1000000 rounds of HMAC-SHA-256 takes about half a
 * second) and refuses a hostile server's 2^31. */
#define P3_SCRAM_ITER_MIN 4096u
#define P3_SCRAM_ITER_MAX 1000000u
#define P3_SCRAM_SALT_MAX 128 /* bytes of salt, decoded */
/* The longest message either side sends, decoded (a server-first with a
 * long nonce and salt; a client-final with its proof). */
#define P3_SCRAM_MSG_MAX 1024

/* The keys derived from a password, salt and iteration count: what a
 * probe keeps between runs so that PBKDF2 runs once per target (RFC 5802
 * section 5.1 allows the client to cache them). Wiped when freed. */
struct p3_scram_keys {
    int valid;
    enum p3_hash hash;
    unsigned iterations;
    size_t salt_len;
    unsigned char salt[P3_SCRAM_SALT_MAX];
    unsigned char client_key[P3_HASH_MAX];
    unsigned char server_key[P3_HASH_MAX];
};

/* What went wrong, for p3_scram_*'s callers: a message that is not SCRAM
 * is the server's protocol error; a refusal, a server that cannot prove
 * it knows the password, or parameters the client will not use are a
 * failed login. */
enum p3_scram_rc { P3_SCRAM_OK = 0, P3_SCRAM_PROTOCOL, P3_SCRAM_AUTH };

/* What the client knows of the channel it runs over, for the GS2 header
 * (RFC 5802 section 6): no binding type ("") on plain text. */
#define P3_CB_DATA_MAX 64 /* the longest digest, SHA-512 */
struct p3_chanbind {
    char type[24]; /* "tls-exporter" (RFC 9266), "tls-server-end-point"
                      (RFC 5929), or "" */
    size_t len;
    unsigned char data[P3_CB_DATA_MAX];
};

/* The GS2 channel-binding flag: "n" (the client binds no channel), "y"
 * (it could, but the server did not offer a -PLUS mechanism: a server
 * that can bind then knows the offer was stripped), "p=TYPE" (binds). */
enum p3_gs2_flag { P3_GS2_N, P3_GS2_Y, P3_GS2_P };

struct p3_scram {
    enum p3_hash hash;
    enum p3_gs2_flag flag;
    struct p3_chanbind cb; /* with P3_GS2_P */
    char gs2[40];          /* the GS2 header, "n,," or "p=TYPE,," */
    unsigned iterations;
    size_t salt_len;
    unsigned char salt[P3_SCRAM_SALT_MAX];
    unsigned char server_signature[P3_HASH_MAX];
    char nonce[P3_SCRAM_MSG_MAX];          /* the server's full nonce */
    char first_bare[3 * P3_CRED_MAX + 48]; /* n=user,r=cnonce */
    char server_first[P3_SCRAM_MSG_MAX];
};

/* Prepares a password or a user name as SASLprep (RFC 4013) would, as far
 * as this library goes: valid UTF-8 only; the non-ASCII spaces of table
 * C.1.2 become SPACE, the characters of table B.1 are removed; control
 * characters (C.2) and the other prohibited code points of tables C.3 to
 * C.9 are refused, and so is an empty result. No NFKC normalisation (it
 * needs Unicode tables): a string that is in NFKC already, which is every
 * ASCII string and most others, comes out as SASLprep would write it.
 * 0, or -1 with a reason in err. */
int p3_saslprep(const char *in, char *out, size_t outlen, char *err,
                size_t errlen);

/* Starts an exchange with hash: writes the client-first message ("n,,n=
 * USER,r=NONCE") into out, unencoded. flag says which GS2 header; with
 * P3_GS2_P, cb holds the binding (else cb is not read, may be NULL).
 * nonce NULL: a fresh one from the CSPRNG (24 bytes, base64); else that
 * one (tests: the RFCs' examples). Its length, or -1 with a reason in
 * err. */
int p3_scram_client_first(struct p3_scram *sc, enum p3_hash hash,
                          enum p3_gs2_flag flag, const struct p3_chanbind *cb,
                          const char *user, const char *nonce, char *out,
                          size_t outlen, char *err, size_t errlen);
/* Reads the server-first message (decoded): the nonce must extend ours,
 * the salt be base64, the iteration count within the limits above. */
enum p3_scram_rc p3_scram_server_first(struct p3_scram *sc, const char *msg,
                                       size_t len, char *err, size_t errlen);
/* 1 when k holds the keys for the salt, count and hash of sc. */
int p3_scram_keys_fit(const struct p3_scram_keys *k, const struct p3_scram *sc);
/* Writes the client-final message into out (unencoded) with the proof of
 * password; keys (may be NULL) is used when it holds this salt and count,
 * and filled otherwise. Its length, or -1 with a reason in err. */
int p3_scram_client_final(struct p3_scram *sc, const char *password,
                          struct p3_scram_keys *keys, char *out, size_t outlen,
                          char *err, size_t errlen);
/* Reads the server-final message (decoded): its signature must be the
 * one the password gives, or the server does not know it. */
enum p3_scram_rc p3_scram_server_final(struct p3_scram *sc, const char *msg,
                                       size_t len, char *err, size_t errlen);

#endif
