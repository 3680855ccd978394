/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NETFLOW_HELPERS_H
#define NETFLOW_HELPERS_H
/* Prototypes of glue/helpers.c: wrappers of static inline functions and macros. */

/* glue/udp.rs */
struct sock;
int netflow_sk_wmem_alloc_get(const struct sock *sk);
int netflow_sock_error(struct sock *sk);
int netflow_sock_min_sndbuf(void);

#endif
