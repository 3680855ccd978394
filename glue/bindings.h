/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C API the module uses, for the module-local bindgen run (see Kbuild).
 * Only what glue/ needs is allowlisted there; feature code never sees these.
 */
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <net/sock.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <linux/moduleparam.h>
#include <net/route.h>
#include <net/ip6_fib.h>
#include <linux/route.h>
#include <linux/netlink.h>

#include "helpers.h"
#include "modinfo.h"
