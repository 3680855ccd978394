/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C API the module uses, for the module-local bindgen run (see Kbuild).
 * Only what glue/ needs is allowlisted there; feature code never sees these.
 */
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

#include "params.h"
#include "helpers.h"
