/* SPDX-License-Identifier: MIT */
/* expose.h - metric families for Prometheus: built from probe results,
 * rendered as text format 0.0.4 or as JSON in prom2json's shape. Pure: no
 * I/O, the caller owns every buffer. */
#ifndef P3X_EXPOSE_H
#define P3X_EXPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "pop3check.h"

#define P3X_CONTENT_TYPE_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define P3X_CONTENT_TYPE_JSON "application/json"

enum p3x_type { P3X_GAUGE, P3X_COUNTER, P3X_HISTOGRAM };

#define P3X_MAX_LABELS 4

/* What a sample of a histogram is: a bucket (its last label is le), the
 * sum or the count; every sample of another family is a value. */
enum p3x_part { P3X_VALUE, P3X_BUCKET, P3X_SUM, P3X_COUNT };

/* One allocation per sample: its labels as "name\0value\0name\0value\0"
 * (a scrape of thousands of scheduled targets holds a few hundred
 * thousand samples). */
struct p3x_sample {
    char *labels; /* NULL when nlabels is 0 */
    int nlabels;
    enum p3x_part part;
    double value;
};

struct p3x_family {
    char *name, *help;
    enum p3x_type type;
    struct p3x_sample *samples;
    size_t nsamples, cap;
};

/* A list of families in the order they were added. Zero-initialise. */
struct p3x_families {
    struct p3x_family *fams;
    size_t n, cap;
};

/* The family called name, added (with help and type) if new. Strings are
 * copied. NULL when out of memory, for a name that is not a metric name
 * or help that is not UTF-8, or for an existing name with another type.
 * The pointer is valid until the next p3x_family() call (the array may
 * move). */
struct p3x_family *p3x_family(struct p3x_families *fs, const char *name,
                              const char *help, enum p3x_type type);
/* Adds a sample with nlabels (name, value) string pairs given as varargs.
 * Strings are copied. 0, or -1 when out of memory, for f NULL (so that a
 * failed p3x_family() can be passed straight in), bad or repeated label
 * names, values that are NULL or not UTF-8, or more than P3X_MAX_LABELS. */
int p3x_sample(struct p3x_family *f, double value, int nlabels, ...);
/* Adds one series to the histogram f (a P3X_HISTOGRAM family): n buckets
 * with the upper bounds le[0..n) (ascending, finite; the +Inf bucket is
 * added) holding cumulative[0..n) observations each (never decreasing,
 * at most count), the count of all observations and their sum, and
 * nlabels (name, value) pairs as for p3x_sample() (none called le). The
 * text shows NAME_bucket{...,le="B"} for each bound and +Inf, NAME_sum
 * and NAME_count; the JSON one metric {"labels","buckets","count","sum"}
 * as prom2json writes it. 0, or -1 as p3x_sample(), for f NULL or not a
 * histogram, or bounds and counts that are not as said; then f is left
 * as it was. */
int p3x_histogram(struct p3x_family *f, const double *le,
                  const uint64_t *cumulative, size_t n, uint64_t count,
                  double sum, int nlabels, ...);
/* Frees everything; fs may be reused after (it is zeroed). */
void p3x_families_free(struct p3x_families *fs);

/* A mark of what fs holds, to undo a group of additions that failed
 * half-way. p3x_mark() returns -1 when out of memory. */
struct p3x_mark {
    size_t nfams;
    size_t *had; /* samples of each family at the mark */
};
int p3x_mark(const struct p3x_families *fs, struct p3x_mark *m);
/* Puts fs back as it was at m. */
void p3x_roll_back(struct p3x_families *fs, const struct p3x_mark *m);
void p3x_mark_free(struct p3x_mark *m);

/* Adds the families of one probe: probe_success, probe_duration_seconds,
 * probe_timeout_seconds, probe_dns_lookup_time_seconds, probe_ip_protocol,
 * probe_ssl_earliest_cert_expiry (only when known), probe_tls_version_info
 * (only over TLS), pop3_phase_duration_seconds{phase}, pop3_probe_status,
 * pop3_probe_error{kind} (every kind but "ok", 0 or 1),
 * pop3_mailbox_messages, pop3_mailbox_size_bytes, pop3_mailbox_largest_bytes,
 * pop3_retr_size_bytes (each only when known), and
 * pop3_capability_info{capability="stls"|"user"|"sasl_plain"|...} 1, one
 * series per capability the server listed (only when it answered CAPA);
 * for a round trip (POP3CHECK_FIG_POLL_MS > 0) pop3_roundtrip_delivered,
 * pop3_roundtrip_delivery_seconds (only when delivered),
 * pop3_roundtrip_polls, pop3_roundtrip_stale_cleaned,
 * pop3_roundtrip_headers_read, pop3_smtp_reply_code (only when the SMTP
 * server replied) and pop3_roundtrip_poll_interval_seconds.
 * With target not NULL every sample also gets target="<target>"
 * (scheduled probes); families already present are extended. 0, or -1
 * when out of memory, and then fs is left as it was. */
int p3x_add_probe(struct p3x_families *fs, const struct pop3check_result *r,
                  enum pop3check_state state, double timeout_s,
                  const char *target);

/* Renders fs as text format 0.0.4 into a malloc'd NUL-terminated string
 * (*out, length *len unless len is NULL; free() it). Families without
 * samples are left out. 0, or -1 when out of memory. */
int p3x_render_text(const struct p3x_families *fs, char **out, size_t *len);
/* Renders fs as JSON in prom2json's shape:
 * [{"name","help","type":"GAUGE"|"COUNTER","metrics":[{"labels":{},
 * "value":"1"}]}], values as strings so NaN and +Inf survive; a
 * histogram's metrics are {"labels":{},"buckets":{"0.5":"3",...,
 * "+Inf":"4"},"count":"4","sum":"1.25"}. */
int p3x_render_json(const struct p3x_families *fs, char **out, size_t *len);

#endif
