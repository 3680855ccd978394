/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NETFLOW_HELPERS_H
#define NETFLOW_HELPERS_H
/* Prototypes of glue/helpers.c: wrappers of static inline functions and macros. */

#endif
