// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers for static inline functions and macros Rust cannot call directly.
 * One line each: no logic lives here.
 */
#include "bindings.h"

/* glue/udp.rs */
int netflow_sk_wmem_alloc_get(const struct sock *sk) { return sk_wmem_alloc_get(sk); }
int netflow_sock_error(struct sock *sk) { return sock_error(sk); }
int netflow_sock_min_sndbuf(void) { return SOCK_MIN_SNDBUF; }
