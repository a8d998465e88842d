/* The kdump TLS client (one connection at a time, static memory). */
#ifndef PS_KDUMP_TLS_H
#define PS_KDUMP_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "kdump/upload.h"

#define KDUMP_TLS_ECONFIG 1   /* certificates or settings unusable: do not retry */
#define KDUMP_TLS_ENET    2   /* network or timeout: retry later */
#define KDUMP_TLS_EAUTH   3   /* wrong server key or client refused: do not retry */
#define KDUMP_TLS_EPROTO  4   /* the collector spoke nonsense */

/* Parses the client certificate and key, seeds the generator. */
int kdump_tls_init(const struct kdump_config *cfg, char *msg, size_t msglen);
/* TCP connect, handshake and server key pin check, before deadline_us;
 * that deadline also bounds every later read and write. */
int kdump_tls_connect(const struct kdump_config *cfg, uint64_t deadline_us, char *msg, size_t msglen);
int kdump_tls_write(const void *buf, size_t len, char *msg, size_t msglen);
/* Reads one whole frame (checked header, size, CRC) into buf. */
int kdump_tls_read_frame(uint8_t *buf, size_t cap, struct ps_frame *f, char *msg, size_t msglen);
void kdump_tls_close(void);

#endif
